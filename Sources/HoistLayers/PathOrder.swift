import Foundation

/// The order layers list their entries in: BuildKit's, the order of a depth-first walk that visits
/// each directory's names sorted by their bytes (Go's `filepath.Walk`, which continuity's diff
/// and fsutil use). A directory's contents come right after it, before a sibling whose name
/// extends its own: `foo`, `foo/x`, `foo-bar`, `foo.txt`. That is the byte order of the paths
/// with `/` counted below every other byte. One home for it. `sorted` sorts indices over the
/// paths read once: sorting 200,000 entries as structs, through the generic
/// `utf8.lexicographicallyPrecedes`, took a fifth of a COPY --from's time (comparisons, and
/// retains and releases on every move).
public enum PathOrder {
    /// Whether `a` comes before `b`: at the first byte where they differ, a `/` comes first and
    /// otherwise the lower byte; a path comes before every longer path it begins.
    @inlinable
    public static func precedes(_ a: String, _ b: String) -> Bool {
        let fast = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in precedes(x, y) }
        }
        return (fast ?? nil) ?? precedes(Array(a.utf8), Array(b.utf8))
    }

    @inlinable
    static func precedes<C: RandomAccessCollection>(_ x: C, _ y: C) -> Bool where C.Element == UInt8, C.Index == Int {
        let common = min(x.count, y.count)
        var i = 0
        while i < common {
            let p = x[x.startIndex + i], q = y[y.startIndex + i]
            if p != q {
                if p == UInt8(ascii: "/") { return true }
                if q == UInt8(ascii: "/") { return false }
                return p < q
            }
            i += 1
        }
        return x.count < y.count
    }

    /// `items` sorted by `path`: the paths are read once, indices are sorted, and each item is
    /// moved once, so a large element costs no copies while it is being sorted.
    public static func sorted<T>(_ items: [T], by path: (T) -> String) -> [T] {
        let keys = items.map(path)
        return keys.indices.sorted { precedes(keys[$0], keys[$1]) }.map { items[$0] }
    }
}

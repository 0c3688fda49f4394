import Foundation

/// The order layers list their entries in: by the bytes of the path (as BuildKit's and Go's
/// string comparison sort), not by Unicode collation. One home for it, and a fast one: sorting a
/// layer of 200,000 entries as structs, through the generic `utf8.lexicographicallyPrecedes`, took
/// a fifth of a COPY --from's time (comparisons, and retains and releases on every move).
public enum PathOrder {
    /// Whether `a` sorts before `b`: `memcmp` over the contiguous UTF-8 bytes, then the shorter first.
    @inlinable
    public static func precedes(_ a: String, _ b: String) -> Bool {
        let fast = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y -> Bool in
                let common = min(x.count, y.count)
                if common > 0, let p = x.baseAddress, let q = y.baseAddress {
                    let order = memcmp(p, q, common)
                    if order != 0 { return order < 0 }
                }
                return x.count < y.count
            }
        }
        return (fast ?? nil) ?? a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// `items` sorted by `path`: the paths are read once, indices are sorted, and each item is
    /// moved once, so a large element costs no copies while it is being sorted.
    public static func sorted<T>(_ items: [T], by path: (T) -> String) -> [T] {
        let keys = items.map(path)
        return keys.indices.sorted { precedes(keys[$0], keys[$1]) }.map { items[$0] }
    }
}

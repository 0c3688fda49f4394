/// Paths resolved inside a root the way a runtime applies a layer (containerd's `fs.RootPath`):
/// symlinks are followed with the root as `/`, and `..` never climbs above it.
public enum ContainedPath {
    /// Symlinks followed before giving up on a path (then it is taken as written, still inside).
    public static let maximumHops = 255

    /// `path` (normalised, relative to the root) with every parent directory that is one of
    /// `symlinks` (normalised path → target) replaced by where the link leads; the last element is
    /// kept as it is, since an entry replaces a symlink of its own name rather than following it.
    /// `escape/file` with `escape -> /tmp` is `tmp/file`; with `up -> ../..` `up/x` is `x`.
    public static func resolvingParents(_ path: String, through symlinks: [String: String]) -> String {
        guard !symlinks.isEmpty, hasSymlinkParent(path, symlinks) else { return path }
        var pending = path.split(separator: "/").map(String.init)[...]
        guard let last = pending.popLast() else { return path }
        var resolved: [String] = []
        var hops = 0
        while let element = pending.popFirst() {
            if element == "." || element.isEmpty { continue }
            if element == ".." {
                _ = resolved.popLast()
                continue
            }
            if hops < maximumHops, let target = symlinks[(resolved + [element]).joined(separator: "/")] {
                hops += 1
                if target.hasPrefix("/") { resolved = [] }
                pending = target.split(separator: "/").map(String.init)[...] + pending
                continue
            }
            resolved.append(element)
        }
        return (resolved + [last]).joined(separator: "/")
    }

    /// Whether a parent of the normalised `path` is one of `symlinks`: the common answer is no, and
    /// it costs one lookup per parent, so most entries of a layer with symlinks pay only that.
    private static func hasSymlinkParent(_ path: String, _ symlinks: [String: String]) -> Bool {
        var start = path.startIndex
        while let slash = path[start...].firstIndex(of: "/") {
            if symlinks[String(path[..<slash])] != nil || path[start..<slash] == ".." { return true }
            start = path.index(after: slash)
        }
        return false
    }
}

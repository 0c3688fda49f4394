import Foundation
import HoistLayers

/// An ADD source that names a git repository, as BuildKit 0.25's `dfgitutil.ParseGitRef` reads it:
/// `git@host:path`, `git://…`, `ssh://…`, or an http(s) URL whose path ends in `.git`, with an
/// optional fragment `#ref[:subdir]` and query options `?ref=`, `?tag=` (`refs/tags/…`),
/// `?branch=` (`refs/heads/…`), `?subdir=`, `?checksum=` or `?commit=` (the commit the ref must
/// resolve to), `?keep-git-dir[=bool]` and `?submodules[=bool]`.
struct GitReference: Equatable {
    /// The URL git clones: without fragment and query.
    var remote: String
    var ref: String?
    /// A directory of the repository to copy instead of its root ("" for the root), normalised so
    /// it never leaves the repository (`a/../b/` is `b`).
    var subdir = ""
    /// A commit id (or a prefix of one) that the checked-out ref must be.
    var checksum: String?
    var keepGitDir: Bool?
    var submodules: Bool?

    /// Whether `word` names a git repository at all (a bad option is still a git source, and an error).
    static func names(_ word: String) -> Bool {
        if word.hasPrefix("git@") || word.hasPrefix("git://") || word.hasPrefix("ssh://") { return true }
        guard word.hasPrefix("http://") || word.hasPrefix("https://") else { return false }
        let path = word.prefix { $0 != "?" && $0 != "#" }
        return path.hasSuffix(".git")
    }

}

extension GitReference {
    /// Parses `word`; throws `GitReferenceError` for options BuildKit refuses. (In an extension, so
    /// the memberwise initialiser stays.)
    init(_ word: String) throws {
        self.init(remote: "")
        var rest = Substring(word)
        var fragment = ""
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        var query = ""
        if let mark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: mark)...])
            rest = rest[..<mark]
        }
        remote = String(rest)
        if !fragment.isEmpty {
            let parts = fragment.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            ref = parts[0].isEmpty ? nil : String(parts[0])
            subdir = parts.count > 1 ? TarHeader.normalize(String(parts[1])) : ""
        }
        try apply(query: query, word: word)
    }

    private mutating func apply(query: String, word: String) throws {
        guard !query.isEmpty else { return }
        var seen: Set<String> = []
        var tag: String?
        var branch: String?
        for item in query.split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = pair[0].removingPercentEncoding ?? String(pair[0])
            let value = pair.count > 1 ? (pair[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(pair[1])) : ""
            guard seen.insert(key).inserted else { throw GitReferenceError.repeated(word, key) }
            func flag() throws -> Bool {
                if value.isEmpty { return true }
                switch value.lowercased() {
                case "1", "t", "true": return true
                case "0", "f", "false": return false
                default: throw GitReferenceError.badBool(word, key, value)
                }
            }
            if value.isEmpty, key != "submodules", key != "keep-git-dir" { throw GitReferenceError.noValue(word, key) }
            switch key {
            case "ref":
                if let ref, ref != value { throw GitReferenceError.conflict(word, "ref", ref, value) }
                ref = value
            case "tag": tag = value.hasPrefix("refs/tags/") ? value : "refs/tags/" + value
            case "branch": branch = value.hasPrefix("refs/heads/") ? value : "refs/heads/" + value
            case "subdir":
                let cleaned = TarHeader.normalize(value)
                if !subdir.isEmpty, subdir != cleaned { throw GitReferenceError.conflict(word, "subdir", subdir, cleaned) }
                subdir = cleaned
            case "checksum", "commit": checksum = value
            case "keep-git-dir": keepGitDir = try flag()
            case "submodules": submodules = try flag()
            default: throw GitReferenceError.unknownOption(word, key)
            }
        }
        if let tag, let branch { throw GitReferenceError.conflict(word, "tag and branch", tag, branch) }
        if let named = tag ?? branch {
            if let ref, ref != named { throw GitReferenceError.conflict(word, "ref", ref, named) }
            ref = named
        }
    }
}

enum GitReferenceError: Error, CustomStringConvertible, Equatable {
    case unknownOption(String, String)
    case noValue(String, String)
    case repeated(String, String)
    case badBool(String, String, String)
    case conflict(String, String, String, String)

    var description: String {
        switch self {
        case let .unknownOption(url, key):
            "ADD \(url): unknown git option \"\(key)\"; allowed: ref, tag, branch, subdir, checksum (or commit), keep-git-dir, submodules"
        case let .noValue(url, key): "ADD \(url): the git option \"\(key)\" needs a value (\(key)=…)"
        case let .repeated(url, key): "ADD \(url): the git option \"\(key)\" is given more than once"
        case let .badBool(url, key, value): "ADD \(url): \(key)=\(value) is not true or false"
        case let .conflict(url, what, a, b): "ADD \(url): \(what) conflicts: \"\(a)\" and \"\(b)\""
        }
    }
}

import Foundation

/// A build context that is a clean git checkout: its `origin` remote and the commit checked out,
/// which provenance gives as the context's source (as buildx does with `vcs:source`/`vcs:revision`).
struct GitContext: Sendable, Equatable {
    var remote: String
    var commit: String

    /// nil when `directory` is not in a git work tree, has no `origin`, has changes (tracked or
    /// untracked), when the remote is a path on this machine rather than a network address, or
    /// when git is not installed. Git runs with fsmonitor and optional locks off: a context's own
    /// `.git/config` must not start programs outside the sandbox, nor a build write to its index.
    static func read(_ directory: String) -> GitContext? {
        // Most contexts are no checkout: find `.git` first rather than start git to be told so.
        var candidate = URL(fileURLWithPath: directory).standardizedFileURL
        while !FileManager.default.fileExists(atPath: candidate.appendingPathComponent(".git").path) {
            guard candidate.path != "/" else { return nil }
            candidate.deleteLastPathComponent()
        }
        guard let git = Subprocess.git else { return nil }
        func run(_ args: [String]) -> String? {
            let safe = ["-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false", "--no-optional-locks", "-C", directory]
            guard let (status, output) = try? Subprocess.run(git, safe + args), status == 0 else { return nil }
            return output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let commit = run(["rev-parse", "--verify", "HEAD"]), commit.count == 40,
              let remote = run(["remote", "get-url", "origin"]), isNetworkAddress(remote),
              let status = run(["status", "--porcelain"]), status.isEmpty else { return nil }
        return GitContext(remote: Redaction.withoutCredentials(remote), commit: commit)
    }

    /// `https://…`, `ssh://…`, `git://…` or scp-like `user@host:path`; not a local path or `file://`.
    static func isNetworkAddress(_ remote: String) -> Bool {
        if let scheme = remote.range(of: "://") { return ["http", "https", "ssh", "git", "git+ssh"].contains(remote[..<scheme.lowerBound].lowercased()) }
        guard let colon = remote.firstIndex(of: ":"), !remote.hasPrefix("/"), !remote.hasPrefix(".") else { return false }
        return !remote[..<colon].contains("/")
    }
}

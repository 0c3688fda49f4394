import Foundation

/// A build context that is a clean git checkout: its `origin` remote and the commit checked out,
/// which provenance gives as the context's source (as buildx does with `vcs:source`/`vcs:revision`).
struct GitContext: Sendable, Equatable {
    var remote: String
    var commit: String

    /// nil when `directory` is not in a git work tree, has no `origin`, has changes (tracked or
    /// untracked, ignoring nothing git ignores), or when git is not installed.
    static func read(_ directory: String) -> GitContext? {
        // Most contexts are no checkout: find `.git` first rather than start git to be told so.
        var candidate = URL(fileURLWithPath: directory).standardizedFileURL
        while !FileManager.default.fileExists(atPath: candidate.appendingPathComponent(".git").path) {
            guard candidate.path != "/" else { return nil }
            candidate.deleteLastPathComponent()
        }
        guard let git = ["/usr/bin/git", "/usr/local/bin/git", "/bin/git"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        func run(_ args: [String]) -> String? {
            guard let (status, output) = try? Subprocess.run(git, ["-C", directory] + args), status == 0 else { return nil }
            return output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let commit = run(["rev-parse", "--verify", "HEAD"]), commit.count == 40,
              let remote = run(["remote", "get-url", "origin"]), !remote.isEmpty,
              let status = run(["status", "--porcelain"]), status.isEmpty else { return nil }
        return GitContext(remote: GitContext.withoutCredentials(remote), commit: commit)
    }

    /// `https://user:token@host/repo` without `user:token@`: a remote's credentials never reach an attestation.
    static func withoutCredentials(_ remote: String) -> String {
        guard let scheme = remote.range(of: "://"), let at = remote[scheme.upperBound...].firstIndex(of: "@"),
              !remote[scheme.upperBound..<at].contains("/") else { return remote }
        return String(remote[..<scheme.upperBound] + remote[remote.index(after: at)...])
    }
}

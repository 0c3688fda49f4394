import CCrypto
import Foundation
import HoistLayers
import HoistOCI
import HoistRegistry

/// ADD sources that are not in the context: an HTTP(S) URL, fetched with libcurl, or a git
/// repository, cloned with the `git` command. As in BuildKit, a downloaded file is mode 0600 and
/// takes its mtime from Last-Modified, and it is not unpacked even when it is an archive.
enum RemoteSource {
    case http(String)
    case git(GitReference)

    /// What `word` names, or nil for a context path: a git repository (GitReference's forms, whose
    /// options are checked here and throw `GitReferenceError`) or another http(s) URL.
    init?(_ word: String) throws {
        if GitReference.names(word) {
            self = .git(try GitReference(word))
        } else if word.hasPrefix("http://") || word.hasPrefix("https://") {
            self = .http(word)
        } else {
            return nil
        }
    }

    /// The source as a CopyMatch staged under `staging`. `keepGitDir` is `--keep-git-dir` (nil when not given).
    func fetch(into staging: String, checksum: String?, keepGitDir: Bool?, fallbackTime: Int) async throws -> CopyMatch {
        switch self {
        case let .http(url):
            return try await RemoteSource.download(url, into: staging, checksum: checksum, fallbackTime: fallbackTime)
        case var .git(reference):
            // ADD --checksum on a git source is the commit, as ?checksum= is; both must agree.
            if let checksum {
                if let given = reference.checksum, given != checksum { throw RemoteSourceError.gitChecksumConflict(reference.remote, checksum, given) }
                reference.checksum = checksum
            }
            if let fromURL = reference.keepGitDir, keepGitDir != nil, fromURL != keepGitDir {
                throw RemoteSourceError.keepGitDirConflict(reference.remote)
            }
            return try await RemoteSource.clone(reference, into: staging, keepGitDir: reference.keepGitDir ?? keepGitDir ?? false)
        }
    }

    private static func download(_ url: String, into staging: String, checksum: String?, fallbackTime: Int) async throws -> CopyMatch {
        let expected: Digest?
        do { expected = try checksum.map { try Digest(parsing: $0) } } catch { throw RemoteSourceError.badChecksum(checksum ?? "", "\(error)") }
        let path = staging + "/download-\(UUID().uuidString)"
        let sink = try FileSink(path: path)
        let response: HTTPResponse
        do {
            response = try await CurlTransport().perform(HTTPRequest(.get, url, followRedirects: true), sink: sink)
        } catch {
            throw RemoteSourceError.fetch(url, "\(error)")
        }
        try sink.close()
        guard (200..<300).contains(response.status) else { throw RemoteSourceError.fetch(url, "the server answered HTTP \(response.status)") }
        let digest = sink.hasher.finalize()
        if let expected, expected != digest {
            throw RemoteSourceError.checksumMismatch(url, expected: expected, got: digest)
        }
        let mtime = response.header("last-modified").flatMap(HTTPDate.parse) ?? fallbackTime
        let name = RemoteSource.fileName(url, disposition: response.header("content-disposition"))
        return CopyMatch(name: name, sourcePath: name, isDirectory: false, items: [
            CopyItem(relative: "", kind: .file(body: path, size: sink.written), mode: 0o600, uid: 0, gid: 0, mtime: mtime),
        ], isRemote: true, origin: ResolvedDependency(uri: Redaction.sourceURL(url), digest: [digest.algorithm: digest.encoded]))
    }

    /// The file's name: Content-Disposition's filename, else the URL path's last component.
    static func fileName(_ url: String, disposition: String?) -> String {
        if let disposition, let range = disposition.range(of: "filename=") {
            let name = disposition[range.upperBound...].split(separator: ";").first.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) } ?? ""
            if !name.isEmpty, !name.contains("/") { return name }
        }
        let path = URL(string: url)?.path ?? ""
        let last = path.split(separator: "/").last.map(String.init) ?? ""
        return last.isEmpty ? "index.html" : last
    }

    private static func clone(_ reference: GitReference, into staging: String, keepGitDir: Bool) async throws -> CopyMatch {
        let url = reference.remote
        let directory = staging + "/git-\(UUID().uuidString)"
        guard let git = Subprocess.git else { throw RemoteSourceError.gitMissing(url) }
        let ref = reference.ref ?? "HEAD"
        // A full ref (refs/tags/v1) is fetched as itself; a short one is whatever checkout finds.
        var steps: [[String]] = [["clone", "--quiet", "--no-checkout", "--", url, directory]]
        if ref.hasPrefix("refs/") { steps.append(["-C", directory, "fetch", "--quiet", "origin", ref]) }
        steps.append(["-C", directory, "-c", "advice.detachedHead=false", "checkout", "--quiet", ref.hasPrefix("refs/") ? "FETCH_HEAD" : ref])
        if reference.submodules ?? true { steps.append(["-C", directory, "submodule", "--quiet", "update", "--init", "--recursive"]) }
        for args in steps {
            let (status, output) = try await Blocking.run { try Subprocess.run(git, args) }
            guard status == 0 else { throw RemoteSourceError.git(url, args.contains("checkout") ? "checkout \(ref)" : args[args.contains("clone") ? 0 : 2], output) }
        }
        let (_, output) = try await Blocking.run { try Subprocess.run(git, ["-C", directory, "rev-parse", "HEAD"]) }
        let commit = output.trimmingCharacters(in: .whitespacesAndNewlines)
        if let expected = reference.checksum {
            guard !expected.isEmpty, commit.hasPrefix(expected.lowercased()) else { throw RemoteSourceError.gitCommitMismatch(url, ref, commit, expected) }
        }
        if !keepGitDir { try FileManager.default.removeItem(atPath: directory + "/.git") }
        let context = try ContextSource(directory: directory)
        // The subdir is a path, not a pattern: one with wildcard characters is refused rather than matched.
        guard !CopyMatch.isWildcard(reference.subdir),
              var match = try context.match(reference.subdir.isEmpty ? "." : reference.subdir).first, match.isDirectory else {
            throw RemoteSourceError.git(url, "subdir", "\(reference.subdir) is not a directory of the repository")
        }
        match.isRemote = true
        match.origin = ResolvedDependency(uri: Redaction.sourceURL(url), digest: ["gitCommit": commit])
        return match
    }
}

/// A download written to a file as it arrives, hashed on the way.
private final class FileSink: BodySink, @unchecked Sendable {
    let handle: FileHandle
    let hasher = SHA256Hasher()
    var written: Int64 = 0

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw RemoteSourceError.fetch(path, "cannot create the download file")
        }
        self.handle = handle
    }

    func begin(status: Int) throws {
        try handle.truncate(atOffset: 0)
        written = 0
    }

    func receive(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bytes)
        try handle.write(contentsOf: Data(bytes))
        written += Int64(bytes.count)
    }

    func close() throws { try handle.close() }
}

import HoistOCI

enum RemoteSourceError: Error, CustomStringConvertible {
    case fetch(String, String)
    case badChecksum(String, String)
    case checksumMismatch(String, expected: Digest, got: Digest)
    case gitChecksumConflict(String, String, String)
    case gitCommitMismatch(String, String, String, String)
    case keepGitDirConflict(String)
    case gitMissing(String)
    case git(String, String, String)

    var description: String {
        switch self {
        case let .fetch(url, why): "ADD \(url): cannot download it: \(why)"
        case let .badChecksum(text, why): "ADD --checksum=\(text): \(why)"
        case let .checksumMismatch(url, expected, got): "ADD \(url): the download's digest is \(got), but --checksum expects \(expected)"
        case let .gitChecksumConflict(url, flag, query): "ADD --checksum=\(flag) \(url): the URL's checksum \(query) says otherwise"
        case let .gitCommitMismatch(url, ref, commit, expected): "ADD \(url): \(ref) is commit \(commit), but the checksum expects \(expected)"
        case let .keepGitDirConflict(url): "ADD --keep-git-dir \(url): the URL's keep-git-dir option says otherwise"
        case let .gitMissing(url): "ADD \(url): this is a git repository and the git command is not installed (apt-get install git)"
        case let .git(url, step, output): "ADD \(url): git \(step) failed: \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
    }
}

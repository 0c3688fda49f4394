import HoistOCI

enum RemoteSourceError: Error, CustomStringConvertible {
    case fetch(String, String)
    case badChecksum(String, String)
    case checksumMismatch(String, expected: Digest, got: Digest)
    case checksumOnGit(String)
    case gitMissing(String)
    case git(String, String, String)

    var description: String {
        switch self {
        case let .fetch(url, why): "ADD \(url): cannot download it: \(why)"
        case let .badChecksum(text, why): "ADD --checksum=\(text): \(why)"
        case let .checksumMismatch(url, expected, got): "ADD \(url): the download's digest is \(got), but --checksum expects \(expected)"
        case let .checksumOnGit(url): "ADD --checksum=… \(url): --checksum applies to HTTP downloads, not to git repositories"
        case let .gitMissing(url): "ADD \(url): this is a git repository and the git command is not installed (apt-get install git)"
        case let .git(url, step, output): "ADD \(url): git \(step) failed: \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
    }
}

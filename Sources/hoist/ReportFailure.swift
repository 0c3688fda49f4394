import Foundation
import HoistDockerfile

/// Prints an error for the person at the terminal: one `error:` line per problem, and for a
/// Dockerfile problem the line it is about, quoted beneath.
func reportFailure(_ error: Error) {
    let text: String
    switch error {
    case let many as DockerfileErrors: text = many.errors.map { "error: " + $0.detailed }.joined(separator: "\n")
    case let one as DockerfileError: text = "error: " + one.detailed
    default: text = "error: \(error)"
    }
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

import ArgumentParser
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

/// Runs a command's body: a failure is reported with `reportFailure` and ends the command with exit
/// status 1; a `ValidationError` goes on to ArgumentParser, which prints it with the usage.
func reportingFailure(_ body: () async throws -> Void) async throws {
    do { try await body() } catch let error as ValidationError { throw error } catch let error as ExitCode { throw error } catch {
        reportFailure(error)
        throw ExitCode.failure
    }
}

/// `reportingFailure` for a command that does not wait.
func reportingFailure(_ body: () throws -> Void) throws {
    do { try body() } catch let error as ValidationError { throw error } catch let error as ExitCode { throw error } catch {
        reportFailure(error)
        throw ExitCode.failure
    }
}

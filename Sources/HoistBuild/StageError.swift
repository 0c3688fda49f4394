import HoistDockerfile
import HoistOCI
import HoistSandbox

/// Why an instruction failed. The stage loop (StageExecutor) puts the instruction's location in
/// front once, as `BuildError.instruction`; these say what went wrong and what is allowed.
enum StageError: Error, CustomStringConvertible {
    case nestedOnbuild(expression: String)
    case badOnbuild(expression: String, Error)
    case argument(name: String, Error)
    case checksumWithoutURL
    case severalSourcesNeedADirectory(destination: String)
    case destination(keyword: String, destination: String, Error)
    case heredoc(name: String, Error?)
    case copy(keyword: String, Error)
    case workdir(directory: String, Error)
    case insecureNotAllowed
    case network(String)
    case mountNeeds(mount: String, what: String)
    case noSuchSecret(mount: String, id: String)
    case unreadableSecret(mount: String, id: String, Error)
    case noSSHAgent(mount: String)
    case unreadableContext(String)
    case bindSourceMissing(String)
    case bindSourceOutside(String)
    case mount(String)
    /// A mount point RUN needs that the stage cannot give.
    case mountPoint(String)
    case needsEmulation(Platform)
    case platform(Error)
    case sandbox(SandboxError)
    case commandFailed(command: String, status: Int32, tail: String)
    case symlinkWhereDirectoryIsNeeded(String)
    case wrongKind(String, directory: Bool)

    var description: String {
        switch self {
        case let .nestedOnbuild(expression): "ONBUILD trigger \"\(expression)\" is itself an ONBUILD"
        case let .badOnbuild(expression, error): "the base image's ONBUILD trigger \"\(expression)\" is not valid: \(error)"
        case let .argument(name, error): "ARG \(name): \(error)"
        case .checksumWithoutURL: "ADD --checksum applies to URLs only"
        case let .severalSourcesNeedADirectory(destination):
            "when COPY has more than one source the destination must be a directory and end with a /: write \(destination)/"
        case let .destination(keyword, destination, error): "\(keyword) \(destination): \(error)"
        case let .heredoc(name, error): error.map { "<<\(name): \($0)" } ?? "cannot stage heredoc \(name)"
        case let .copy(keyword, error): "\(keyword): \(error)"
        case let .workdir(directory, error): "WORKDIR \(directory): \(error)"
        case .insecureNotAllowed: "RUN --security=insecure needs --allow security.insecure"
        case let .network(value): "RUN --network=\(value): use default, none or host"
        case let .mountNeeds(mount, what): "\(mount): \(what) is required"
        case let .noSuchSecret(mount, id): "\(mount),id=\(id): no such secret was given (--secret id=\(id),src=FILE)"
        case let .unreadableSecret(mount, id, error): "\(mount),id=\(id): \(error)"
        case let .noSSHAgent(mount): "\(mount): no ssh agent was given (--ssh default)"
        case let .unreadableContext(root): "RUN --mount: \(root) cannot be read"
        case let .bindSourceMissing(source): "RUN --mount=type=bind,source=\(source): not found in the build context"
        case let .bindSourceOutside(source): "RUN --mount=type=bind,source=\(source) is outside the build context"
        case let .mount(message): "RUN --mount: \(message)"
        case let .mountPoint(message): "RUN: \(message)"
        case let .sandbox(error): "RUN: \(error)"
        case let .needsEmulation(platform):
            "RUN for \(platform) on this \(Platform.host.architecture) machine needs binfmt_misc emulation (qemu-user-static), which is not set up"
        case let .platform(error): "FROM --platform: \(error)"
        case let .commandFailed(command, status, tail):
            "\(command): the command did not complete successfully: exit code: \(status)" + (tail.isEmpty ? "" : "\n" + tail)
        case let .symlinkWhereDirectoryIsNeeded(path): "RUN: /\(path) is a symlink in this stage; the sandbox needs a real directory there"
        case let .wrongKind(path, directory): "RUN: /\(path) in this stage is not a \(directory ? "directory" : "file")"
        }
    }
}

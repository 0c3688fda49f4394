import ArgumentParser
import Foundation
import HoistBuild
import HoistContent
import HoistRegistry

/// `hoist login HOST`: checks the credentials with the registry, then keeps them in Docker's
/// config.json (mode 0600), as `docker login` does.
struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Log in to a registry and keep the credentials in Docker's config.json.")

    @Option(name: .shortAndLong, help: "User name.")
    var username: String?

    @Option(name: .shortAndLong, help: "Password (prefer --password-stdin: a command line is visible to others).")
    var password: String?

    @Flag(help: "Read the password from standard input.")
    var passwordStdin = false

    @OptionGroup var registry: RegistryOptions

    @Argument(help: "The registry host, e.g. ghcr.io or 127.0.0.1:5000.")
    var host: String

    func run() async throws {
        try await reportingFailure {
            guard let username, !username.isEmpty else { throw ValidationError("give the user name with -u") }
            var secret = password
            if passwordStdin {
                secret = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                    .trimmingCharacters(in: .newlines)
            } else if secret == nil, isatty(0) != 0, let typed = getpass("Password: ") {
                secret = String(cString: typed)
            }
            guard let secret, !secret.isEmpty else { throw ValidationError("give the password with --password-stdin (or -p)") }
            let credentials = Credentials(username: username, secret: secret)
            var store = CredentialStore()
            store.given[host] = credentials
            let client = try registry.client(credentials: store)
            try await client.verifyLogin(host: host)
            let file = DockerConfigFile()
            try file.store(credentials, for: host)
            print("Login Succeeded (credentials saved in \(file.path))")
        }
    }
}

/// `hoist logout HOST`: forgets what `hoist login` kept.
struct Logout: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a registry's credentials from Docker's config.json.")

    @Argument(help: "The registry host.")
    var host: String

    func run() throws {
        let file = DockerConfigFile()
        try reportingFailure {
            guard try file.remove(host: host) else {
                FileHandle.standardError.write(Data("error: not logged in to \(host) (nothing for it in \(file.path))\n".utf8))
                throw ExitCode.failure
            }
            print("Removing login credentials for \(host)")
        }
    }
}

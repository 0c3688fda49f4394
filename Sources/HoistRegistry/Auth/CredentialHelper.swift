import Foundation

/// The `docker-credential-NAME` protocol: `get` reads the server on stdin and answers
/// `{"Username":…,"Secret":…}`; `store` and `erase` keep and forget them.
struct CredentialHelper {
    let name: String

    func get(server: String) throws -> Credentials? {
        let (status, out, err) = try run(["get"], input: server)
        if status != 0 {
            if err.contains("credentials not found") || out.contains("credentials not found") { return nil }
            throw RegistryError.badCredentials(file: "docker-credential-\(name)", detail: "get failed: \(err.isEmpty ? out : err)")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any],
              let user = json["Username"] as? String, let secret = json["Secret"] as? String else {
            throw RegistryError.badCredentials(file: "docker-credential-\(name)", detail: "get did not answer with Username and Secret")
        }
        return Credentials(username: user, secret: secret, isIdentityToken: user == "<token>")
    }

    private func run(_ arguments: [String], input: String) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["docker-credential-\(name)"] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch {
            throw RegistryError.badCredentials(file: "docker-credential-\(name)", detail: "the helper cannot be run: \(error)")
        }
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
                String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

import Foundation

/// Where `--secret id=ID,src=FILE|env=VAR` reads a secret from.
public enum SecretSource: Sendable, Equatable {
    case file(String)
    case environment(String)

    /// `id=ID,src=FILE`, `id=ID,env=VAR`, `id=ID` (the variable ID, else the file ID), with
    /// buildx's `type=file|env` and `source=` spellings.
    public static func parse(_ text: String) throws -> (String, SecretSource) {
        var fields: [String: String] = [:]
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw BuildError.context("--secret \(text): \"\(part)\" is not key=value") }
            fields[kv[0].lowercased()] = kv[1]
        }
        guard let id = fields["id"], !id.isEmpty else { throw BuildError.context("--secret \(text): id= is required") }
        if let src = fields["src"] ?? fields["source"] {
            return (id, fields["type"] == "env" ? .environment(src) : .file(src))
        }
        if let env = fields["env"] { return (id, .environment(env)) }
        return (id, ProcessInfo.processInfo.environment[id] != nil ? .environment(id) : .file(id))
    }

    func read() throws -> [UInt8] {
        switch self {
        case let .file(path):
            guard let data = FileManager.default.contents(atPath: path) else { throw BuildError.context("--secret: \(path) cannot be read") }
            return Array(data)
        case let .environment(name):
            guard let value = ProcessInfo.processInfo.environment[name] else { throw BuildError.context("--secret: the environment variable \(name) is not set") }
            return Array(value.utf8)
        }
    }
}

import Foundation

/// A fresh directory under /tmp, removed when the value is released.
public final class TempDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "hoist-test") throws {
        var template = Array("/tmp/\(label)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ShellError(command: "mkdtemp", status: errno, stderr: "cannot create a temp directory")
        }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func file(_ name: String, _ contents: String) throws -> String {
        let p = path + "/" + name
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
}

import Foundation

/// Where Hoist keeps its state: `$HOIST_ROOT`, else `~/.local/share/hoist`.
public enum HoistPaths {
    public static func root(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let root = environment["HOIST_ROOT"], !root.isEmpty {
            return URL(fileURLWithPath: root)
        }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".local/share/hoist")
    }
}

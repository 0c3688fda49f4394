import Foundation
import HoistLayers

/// COPY --from sources read from another stage's or an external image's layers through a
/// FilesystemView: only headers, plus the bodies of the files actually copied.
struct ViewSource {
    let view: FilesystemView
    let staging: String
    let displayName: String

    func match(_ source: String) async throws -> [CopyMatch] {
        if source.contains(where: { "*?[".contains($0) }) {
            throw ViewSourceError.wildcard(source, displayName)
        }
        guard let (path, found) = try await view.resolve(source) else {
            throw ViewSourceError.notFound(source, displayName)
        }
        let name = path.split(separator: "/").last.map(String.init) ?? ""
        if found.header.isDirectory {
            let entries = try await view.walk(path)
            let bodies = try await view.extractBodies(entries, into: staging)
            let prefix = path.isEmpty ? "" : path + "/"
            let items = try entries.map { try item($0, relative: String($0.header.path.dropFirst(prefix.count)), bodies) }
            return [CopyMatch(name: name, sourcePath: path, isDirectory: true, items: items)]
        }
        let bodies = try await view.extractBodies([found], into: staging)
        return [CopyMatch(name: name, sourcePath: path, isDirectory: false, items: [try item(found, relative: "", bodies)])]
    }

    private func item(_ found: FilesystemView.Found, relative: String, _ bodies: [String: String]) throws -> CopyItem {
        let h = found.header
        let kind: CopyItem.Kind
        switch h.kind {
        case .file, .hardlink:
            // A hard link becomes a regular file with its target's bytes: the link's partner may not be copied.
            guard let body = bodies[h.path] else { throw FilesystemViewError.missingBody(h.path) }
            var st = stat()
            stat(body, &st)
            kind = .file(body: body, size: Int64(st.st_size))
        case .directory: kind = .directory
        case let .symlink(target): kind = .symlink(target: target)
        case .other: throw ViewSourceError.unsupportedType(h.path, displayName)
        }
        return CopyItem(relative: relative, kind: kind, mode: h.mode, uid: h.uid, gid: h.gid, mtime: h.mtime)
    }
}

enum ViewSourceError: Error, CustomStringConvertible {
    case notFound(String, String)
    case wildcard(String, String)
    case unsupportedType(String, String)

    var description: String {
        switch self {
        case let .notFound(p, from): "\(p) was not found in \(from)"
        case let .wildcard(p, from): "\(p): wildcards in COPY --from=\(from) are not supported yet; name the file or directory"
        case let .unsupportedType(p, from): "/\(p) in \(from) is a device or pipe, which COPY does not copy"
        }
    }
}

import Foundation
import HoistLayers

/// COPY --from sources read from another stage's or an external image's layers through a
/// FilesystemView: only headers, plus the bodies of the files actually copied, appended to one
/// pack file under `staging` (one inode for all of them, however many files are copied).
struct ViewSource {
    let view: FilesystemView
    let staging: String
    let displayName: String

    private var pack: FilesystemView.BodyStaging { .pack(file: staging + "/bodies.pack") }

    func match(_ source: String) async throws -> [CopyMatch] {
        guard CopyMatch.isWildcard(source) else { return [try await matchOne(source)] }
        // Wildcards: each component with * ? [ ] is matched against the names in its directory.
        var candidates = [""]
        for part in source.split(separator: "/").map(String.init) where part != "." {
            guard CopyMatch.isWildcard(part) else {
                candidates = candidates.map { $0.isEmpty ? part : $0 + "/" + part }
                continue
            }
            var next: [String] = []
            for prefix in candidates {
                guard let (directory, found) = try await view.resolve(prefix), found.header.isDirectory else { continue }
                let inside = directory.isEmpty ? "" : directory + "/"
                let names = try await view.walk(directory).map { String($0.header.path.dropFirst(inside.count)) }.filter { !$0.contains("/") }
                for name in names where fnmatch(part, name, FNM_PERIOD) == 0 {
                    next.append(prefix.isEmpty ? name : prefix + "/" + name)
                }
            }
            candidates = next
        }
        // As BuildKit (AllowEmptyWildcard): a wildcard that matches nothing copies nothing.
        var matches: [CopyMatch] = []
        for candidate in candidates { matches.append(try await matchOne(candidate)) }
        return matches
    }

    /// For `source`, a directory one layer holds whole (`FilesystemView.soleLayer`): its match,
    /// without items, and how to stream them into the new layer instead (`StreamedCopy`). Nil for
    /// anything else (a wildcard, a file, a directory several layers make): `match` it then.
    func streamed(_ source: String) async throws -> (match: CopyMatch, stream: StreamedCopy)? {
        guard !CopyMatch.isWildcard(source), let (path, found) = try await view.resolve(source), found.header.isDirectory,
              let (layer, index) = try await view.soleLayer(below: path) else { return nil }
        // A hard link becomes a file with its target's bytes, which a stream has passed by; a device
        // is refused: both go the general way, told by the index before anything is read.
        let prefix = path.isEmpty ? "" : path + "/"
        var entries = 0
        for (key, header) in index.entries where key.hasPrefix(prefix) && key != path {
            if case .hardlink = header.kind { return nil }
            if header.kind == .other { return nil }
            entries += 1
        }
        let name = path.split(separator: "/").last.map(String.init) ?? ""
        let blob = try await view.layers[layer].blobPath()
        return (CopyMatch(name: name, sourcePath: path, isDirectory: true, items: []),
                StreamedCopy(source: .layer(blob: blob, directory: path, index: index, entries: entries)))
    }

    private func matchOne(_ source: String) async throws -> CopyMatch {
        guard let (path, found) = try await view.resolve(source) else {
            throw ViewSourceError.notFound(source, displayName)
        }
        let name = path.split(separator: "/").last.map(String.init) ?? ""
        if found.header.isDirectory {
            let entries = try await view.walk(path)
            let bodies = try await view.extractBodies(entries, staging: pack)
            let prefix = path.isEmpty ? "" : path + "/"
            let items = try entries.map { try item($0, relative: String($0.header.path.dropFirst(prefix.count)), bodies) }
            return CopyMatch(name: name, sourcePath: path, isDirectory: true, items: items)
        }
        let bodies = try await view.extractBodies([found], staging: pack)
        return CopyMatch(name: name, sourcePath: path, isDirectory: false, items: [try item(found, relative: "", bodies)])
    }

    private func item(_ found: FilesystemView.Found, relative: String, _ bodies: [String: FilesystemView.StagedBody]) throws -> CopyItem {
        let h = found.header
        let kind: CopyItem.Kind
        switch h.kind {
        case .file, .hardlink:
            // A hard link becomes a regular file with its target's bytes: the link's partner may not be copied.
            guard let body = bodies[h.path] else { throw FilesystemViewError.missingBody(h.path) }
            kind = .file(body: body.file, size: body.size, offset: body.offset)
        case .directory: kind = .directory
        case let .symlink(target): kind = .symlink(target: target)
        case .other: throw ViewSourceError.unsupportedType(h.path, displayName)
        }
        return CopyItem(relative: relative, kind: kind, mode: h.mode, uid: h.uid, gid: h.gid, mtime: h.mtime)
    }
}

enum ViewSourceError: Error, CustomStringConvertible {
    case notFound(String, String)
    case unsupportedType(String, String)

    var description: String {
        switch self {
        case let .notFound(p, from): "\(p) was not found in \(from)"
        case let .unsupportedType(p, from): "/\(p) in \(from) is a device or pipe, which COPY does not copy"
        }
    }
}

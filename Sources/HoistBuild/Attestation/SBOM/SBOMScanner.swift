import Foundation
import HoistLayers
import HoistOCI

/// Finds the packages an image holds from its own files, with no unpack and no scanner image:
/// dpkg's status (and distroless `status.d/`), apk's installed database, Go binaries' build info,
/// Python `*.dist-info/METADATA` and `*.egg-info/PKG-INFO`, npm `node_modules/…/package.json`.
///
/// Each layer is scanned once, on its own: the candidate files it holds are read from its blob
/// (one pass) and what they give is kept under `cacheDirectory` by layer digest, so a layer seen
/// before, in any image, costs no byte. The image's answer then takes, for each candidate path,
/// the layer that shows it in the merged view (its index only), so a file replaced or deleted
/// higher up counts as the upper layer has it. Each package carries the digest of that layer.
/// rpm databases are not read (see docs/attestations.md).
struct SBOMScanner {
    /// What one layer's candidate files gave: the raw text of the databases whose purls depend on
    /// the image's distribution (dpkg, apk, os-release), and the packages of the rest, by path.
    struct LayerScan: Codable {
        var texts: [String: String] = [:]
        var packages: [String: [SBOMPackage]] = [:]
    }

    let view: FilesystemView
    let layers: [LayerRef]
    /// `$HOIST_ROOT/sbom`; nil scans without keeping anything.
    let cacheDirectory: String?
    /// Where bodies are staged while a layer is scanned; emptied as it goes.
    let scratch: String

    /// Files bigger than this are not read as executables: no Go program is that large.
    static let largestExecutable: Int64 = 512 << 20

    /// Every package, in path order, each with the layer it came from. Throws what reading a
    /// layer throws.
    func packages() async throws -> [SBOMPackage] {
        var scans: [Int: LayerScan] = [:]
        func scanned(_ layer: Int) async throws -> LayerScan {
            if let done = scans[layer] { return done }
            let fresh = try await scan(layer)
            scans[layer] = fresh
            return fresh
        }
        var result: [SBOMPackage] = []
        let visible = try await view.walk("").filter { Self.isCandidate($0.header) }
        var os: OSRelease?
        var release = try await view.resolve("etc/os-release")
        if release == nil { release = try await view.resolve("usr/lib/os-release") }
        if let (path, found) = release {
            os = try await scanned(found.layer).texts[path].map(OSRelease.init(parsing:))
        }
        for item in visible {
            let layer = item.layer
            let scan = try await scanned(layer)
            let path = "/" + item.header.path
            var found = scan.packages[item.header.path] ?? []
            if let text = scan.texts[item.header.path] {
                if item.header.path == "lib/apk/db/installed" {
                    found = ApkInstalled.packages(in: text, path: path, os: os)
                } else if Self.isDpkgDatabase(item.header.path) {
                    found = DpkgStatus.packages(in: text, path: path, os: os)
                }
            }
            for var package in found {
                package.layer = layers[layer].descriptor.digest
                result.append(package)
            }
        }
        return result
    }

    /// Layer `i`'s scan, from the cache or by reading its candidate files.
    private func scan(_ i: Int) async throws -> LayerScan {
        let digest = layers[i].descriptor.digest
        let file = cacheDirectory.map { "\($0)/v1/\(digest.algorithm)-\(digest.encoded).json" }
        if let file, let data = FileManager.default.contents(atPath: file), let cached = try? JSONDecoder().decode(LayerScan.self, from: data) {
            return cached
        }
        let candidates = try await view.entries(inLayer: i).filter { Self.isCandidate($0.header) || Self.isOSRelease($0.header.path) }
        var scan = LayerScan()
        if !candidates.isEmpty {
            let staging = scratch + "/layer-\(i)"
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: staging) }
            // One pack file for every body: a layer with thousands of executables costs one inode.
            let pack = staging + "/bodies.pack"
            let staged = try await view.extractBodies(candidates, staging: .pack(file: pack))
            let fd = open(pack, O_RDONLY | O_CLOEXEC)
            defer { if fd >= 0 { close(fd) } }
            for item in candidates {
                guard fd >= 0, let body = staged[item.header.path] else { continue }
                let path = item.header.path
                if Self.isDpkgDatabase(path) || path == "lib/apk/db/installed" || Self.isOSRelease(path) {
                    scan.texts[path] = String(decoding: Self.read(fd, body), as: UTF8.self)
                } else if path.hasSuffix("/package.json") {
                    if let package = NpmPackage.package(in: Self.read(fd, body), path: "/" + path) { scan.packages[path] = [package] }
                } else if path.hasSuffix(".dist-info/METADATA") || path.hasSuffix(".egg-info/PKG-INFO") {
                    if let package = PythonMetadata.package(in: String(decoding: Self.read(fd, body), as: UTF8.self), path: "/" + path) {
                        scan.packages[path] = [package]
                    }
                } else if Self.isExecutableFormat(Self.read(fd, body, limit: 4)) {
                    // Only a program (ELF, PE, Mach-O) is read whole, to look for Go's build info.
                    let found = GoBuildInfo.packages(in: Self.read(fd, body), path: "/" + path)
                    if !found.isEmpty { scan.packages[path] = found }
                }
            }
        }
        if let file, let data = try? JSONEncoder().encode(scan) { CacheFile.write(data, to: file) }
        return scan
    }

    /// The staged body's bytes (its first `limit` bytes when given).
    static func read(_ fd: Int32, _ body: FilesystemView.StagedBody, limit: Int64? = nil) -> [UInt8] {
        let count = Int(min(body.size, limit ?? body.size))
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(body.offset) + off_t(done)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            done += n
        }
        return Array(bytes.prefix(done))
    }

    /// ELF, PE (`MZ`) or Mach-O (either byte order, thin or fat): the formats Go writes build info into.
    static func isExecutableFormat(_ magic: [UInt8]) -> Bool {
        guard magic.count >= 2 else { return false }
        if magic.starts(with: [0x7F, 0x45, 0x4C, 0x46]) || magic.starts(with: [0x4D, 0x5A]) { return true }
        let machO: [[UInt8]] = [[0xFE, 0xED, 0xFA, 0xCE], [0xFE, 0xED, 0xFA, 0xCF], [0xCE, 0xFA, 0xED, 0xFE], [0xCF, 0xFA, 0xED, 0xFE], [0xCA, 0xFE, 0xBA, 0xBE]]
        return machO.contains { magic.starts(with: $0) }
    }

    static func isDpkgDatabase(_ path: String) -> Bool {
        path == "var/lib/dpkg/status" || (path.hasPrefix("var/lib/dpkg/status.d/") && !path.dropFirst("var/lib/dpkg/status.d/".count).contains("/"))
    }

    static func isOSRelease(_ path: String) -> Bool { path == "etc/os-release" || path == "usr/lib/os-release" }

    /// A file whose body may name packages: a package database, a Python or npm manifest, or an
    /// executable (a Go program carries its modules).
    static func isCandidate(_ header: TarHeader) -> Bool {
        switch header.kind {
        case .file, .hardlink: break
        default: return false
        }
        let path = header.path
        if isDpkgDatabase(path) || path == "lib/apk/db/installed" { return true }
        if path.hasSuffix(".dist-info/METADATA") || path.hasSuffix(".egg-info/PKG-INFO") { return true }
        if path.hasSuffix("/package.json") {
            // node_modules/NAME/package.json or node_modules/@SCOPE/NAME/package.json: a package, not a file inside one.
            let parts = path.split(separator: "/")
            guard parts.count >= 3 else { return false }
            if parts[parts.count - 3] == "node_modules" { return true }
            return parts.count >= 4 && parts[parts.count - 4] == "node_modules" && parts[parts.count - 3].hasPrefix("@")
        }
        return header.mode & 0o111 != 0 && header.size >= 4096 && header.size <= largestExecutable
    }
}

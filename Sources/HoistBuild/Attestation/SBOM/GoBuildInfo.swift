/// Reads the build information the Go toolchain embeds in every binary it links: the Go version
/// and the modules the program was built from.
///
/// Format (Go's src/debug/buildinfo/buildinfo.go, src/runtime/debug/mod.go): the `.go.buildinfo`
/// data starts, at a 16-byte-aligned address, with a 32-byte header: the 14-byte magic
/// `\xff Go buildinf:`, a pointer size, a flags byte, padding. Since Go 1.18 (flag bit 2) the header
/// is followed by two strings, each a uvarint length then its bytes: the Go version and the module
/// information, the latter framed by 16-byte sentinels. The file is scanned at 16-byte-aligned
/// offsets rather than by section, which finds it in ELF, Mach-O and PE alike; a match that does not
/// parse (the magic quoted in a program's own data) is passed over. Binaries of Go 1.17 and older,
/// whose header points at the strings in memory instead, are not read.
///
/// Module information (`runtime/debug.ParseBuildInfo`): tab-separated lines `path PKG`, `mod PATH
/// VERSION [SUM]` (the main module), `dep PATH VERSION [SUM]`, `=> PATH VERSION [SUM]` (a replacement
/// of the module on the line above) and `build KEY=VALUE` (flags, skipped). A replaced module is
/// listed under its original path and version, what the code requires; malformed lines are skipped.
public enum GoBuildInfo {
    /// The main module, each dependency and `stdlib` at the Go version, as `pkg:golang/MODULE@VERSION`
    /// purls (the module path's segments are the purl's namespace and name). Empty when `bytes` is
    /// not a Go ≥ 1.18 binary.
    public static func packages(in bytes: [UInt8], path: String) -> [SBOMPackage] {
        guard let info = read(bytes) else { return [] }
        var modules: [(path: String, version: String)] = []
        for line in info.modinfo.split(separator: "\n") {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count >= 3, columns.count <= 4, !columns[1].isEmpty else { continue }
            if columns[0] == "mod" || columns[0] == "dep" { modules.append((columns[1], columns[2])) }
        }
        var packages = modules.map { module in
            SBOMPackage(
                ecosystem: .golang, name: module.path, version: module.version,
                purl: PackageURL(type: "golang", path: module.path, version: module.version).description, path: path)
        }
        let goVersion = stdlibVersion(info.goVersion)
        if !goVersion.isEmpty {
            packages.append(SBOMPackage(
                ecosystem: .golang, name: "stdlib", version: goVersion,
                purl: PackageURL(type: "golang", name: "stdlib", version: goVersion).description, path: path))
        }
        return packages
    }

    /// The Go version (`go1.19.8`) and the module information with its sentinels removed (empty when
    /// the binary was built without module support); nil when no Go ≥ 1.18 build information is found.
    public static func read(_ bytes: [UInt8]) -> (goVersion: String, modinfo: String)? {
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset + headerSize <= buffer.count {
                if buffer[offset] == magic[0], hasMagic(buffer, at: offset), let info = parse(buffer, header: offset) {
                    return info
                }
                offset += alignment
            }
            return nil
        }
    }

    private static let magic: [UInt8] = [0xFF] + Array(" Go buildinf:".utf8)
    private static let alignment = 16
    private static let headerSize = 32
    /// runtime/debug's framing of the module information, which debug/buildinfo strips.
    private static let sentinelSize = 16

    private static func hasMagic(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        magic.indices.allSatisfy { buffer[offset + $0] == magic[$0] }
    }

    private static func parse(_ buffer: UnsafeBufferPointer<UInt8>, header: Int) -> (goVersion: String, modinfo: String)? {
        let pointerSize = buffer[header + 14], flags = buffer[header + 15]
        guard pointerSize == 4 || pointerSize == 8, flags & 2 != 0 else { return nil }
        var cursor = header + headerSize
        guard let version = string(buffer, at: &cursor), !version.isEmpty, var modinfo = string(buffer, at: &cursor) else { return nil }
        // As debug/buildinfo: framing it cannot recognise means no module information.
        if modinfo.count >= 2 * sentinelSize + 1, modinfo[modinfo.count - sentinelSize - 1] == UInt8(ascii: "\n") {
            modinfo = Array(modinfo[sentinelSize..<(modinfo.count - sentinelSize)])
        } else {
            modinfo = []
        }
        return (String(decoding: version, as: UTF8.self), String(decoding: modinfo, as: UTF8.self))
    }

    /// A uvarint-prefixed string at `cursor`, which moves past it; nil when it runs off the end.
    private static func string(_ buffer: UnsafeBufferPointer<UInt8>, at cursor: inout Int) -> [UInt8]? {
        var length: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard cursor < buffer.count, shift < 64 else { return nil }
            let byte = buffer[cursor]
            cursor += 1
            length |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        guard length <= UInt64(buffer.count - cursor) else { return nil }
        let end = cursor + Int(length)
        defer { cursor = end }
        return Array(buffer[cursor..<end])
    }

    /// `go1.19.8` as `1.19.8`; a GOEXPERIMENT suffix (`go1.21.0 X:loopvar`) is dropped. Other forms
    /// (`devel go1.23-…`) are kept whole.
    private static func stdlibVersion(_ goVersion: String) -> String {
        guard goVersion.hasPrefix("go") else { return goVersion }
        return String(goVersion.dropFirst(2).prefix { $0 != " " })
    }
}

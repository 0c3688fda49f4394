import Foundation

/// A layer index on disk, in a compact binary form: Foundation's JSONDecoder took a quarter of a
/// second for the 4.4 MB index of a Debian+Go layer, paid on every build that COPYs onto it; this
/// reads the same index in a few milliseconds. Little-endian integers, strings as a length and
/// UTF-8 bytes; a file that does not parse is treated as absent (the layer is read again).
enum LayerIndexFile {
    // 3: paths resolved inside the root through the layer's own symlinks (TarReader), so an index
    // written by an older reader is read again.
    static let magic = Array("hoist-layer-index-3\n".utf8)

    static func encode(_ index: LayerIndex) -> [UInt8] {
        var out = magic
        out.reserveCapacity(index.entries.count * 64)
        func int(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { out += $0 } }
        func string(_ text: String) {
            int(Int64(text.utf8.count))
            out += text.utf8
        }
        int(Int64(index.entries.count))
        for (path, header) in index.entries {
            string(path)
            switch header.kind {
            case .file: out.append(0)
            case .directory: out.append(1)
            case let .symlink(target): out.append(2); string(target)
            case let .hardlink(target): out.append(3); string(target)
            case .other: out.append(4)
            }
            int(Int64(header.mode))
            int(Int64(header.uid))
            int(Int64(header.gid))
            int(header.size)
            int(Int64(header.mtime))
        }
        for set in [index.whiteouts, index.opaqueDirectories, index.implicitDirectories] {
            int(Int64(set.count))
            for path in set { string(path) }
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) -> LayerIndex? {
        bytes.withUnsafeBytes { raw -> LayerIndex? in
            var at = magic.count
            guard raw.count >= at, raw.prefix(at).elementsEqual(magic) else { return nil }
            func int() -> Int64? {
                guard at + 8 <= raw.count else { return nil }
                let value = raw.loadUnaligned(fromByteOffset: at, as: Int64.self)
                at += 8
                return Int64(littleEndian: value)
            }
            func string() -> String? {
                // Compared against what is left, so a hostile length cannot overflow `at + length`.
                guard let length = int(), length >= 0, length <= Int64(raw.count - at) else { return nil }
                let text = String(decoding: raw[at..<(at + Int(length))], as: UTF8.self)
                at += Int(length)
                return text
            }
            var index = LayerIndex()
            // Every entry takes more than 8 bytes: a count beyond that is a lie, not a capacity to reserve.
            guard let count = int(), count >= 0, count <= Int64(raw.count / 8) else { return nil }
            index.entries.reserveCapacity(Int(count))
            for _ in 0..<count {
                guard let path = string(), at < raw.count else { return nil }
                let tag = raw[at]
                at += 1
                let kind: TarHeader.Kind
                switch tag {
                case 0: kind = .file
                case 1: kind = .directory
                case 2: guard let target = string() else { return nil }; kind = .symlink(target: target)
                case 3: guard let target = string() else { return nil }; kind = .hardlink(target: target)
                case 4: kind = .other
                default: return nil
                }
                guard let mode = int(), let uid = int(), let gid = int(), let size = int(), let mtime = int() else { return nil }
                index.entries[path] = TarHeader(path: path, kind: kind, mode: UInt32(truncatingIfNeeded: mode), uid: Int(uid),
                                                gid: Int(gid), size: size, mtime: Int(mtime))
            }
            var sets: [Set<String>] = []
            for _ in 0..<3 {
                guard let count = int(), count >= 0, count <= Int64(raw.count / 8) else { return nil }
                var set = Set<String>(minimumCapacity: Int(count))
                for _ in 0..<count {
                    guard let path = string() else { return nil }
                    set.insert(path)
                }
                sets.append(set)
            }
            guard at == raw.count else { return nil }
            (index.whiteouts, index.opaqueDirectories, index.implicitDirectories) = (sets[0], sets[1], sets[2])
            return index
        }
    }
}

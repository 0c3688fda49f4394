import CSystem
import Foundation

/// Extended attributes of a context file, kept in the layer as BuildKit keeps them (file
/// capabilities such as `security.capability` above all). SELinux labels describe the build
/// machine, not the image, and are left out.
enum Xattrs {
    static let skipped: Set<String> = ["security.selinux"]

    static func read(_ path: String) throws -> [String: [UInt8]] {
        let size = llistxattr(path, nil, 0)
        if size <= 0 { return [:] }  // none, or a filesystem without xattrs
        var names = [CChar](repeating: 0, count: size)
        let got = llistxattr(path, &names, size)
        guard got >= 0 else { throw ContextError.unreadable(path) }
        var result: [String: [UInt8]] = [:]
        for raw in names[0..<got].split(separator: 0) {
            let name = String(decoding: raw.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard !skipped.contains(name) else { continue }
            let length = lgetxattr(path, name, nil, 0)
            guard length >= 0 else { continue }  // removed meanwhile
            var value = [UInt8](repeating: 0, count: length)
            let n = lgetxattr(path, name, &value, length)
            guard n >= 0 else { continue }
            result[name] = Array(value[0..<n])
        }
        return result
    }
}

import Foundation

/// Reads a small file inside a root directory without following any symlink on the way: an
/// image's `/etc/passwd` that is a link to `/etc/shadow` on the host must not be read.
enum ContainedFile {
    static func read(root: String, path: String, limit: Int = 4 << 20) -> [UInt8]? {
        let elements = path.split(separator: "/").map(String.init).filter { $0 != "." && !$0.isEmpty }
        guard !elements.contains(".."), let name = elements.last else { return nil }
        var fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        for element in elements.dropLast() {
            let next = openat(fd, element, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            close(fd)
            guard next >= 0 else { return nil }
            fd = next
        }
        let file = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        close(fd)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while data.count < limit {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(file, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return data
    }
}

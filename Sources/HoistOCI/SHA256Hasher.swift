import CCrypto

/// Streaming SHA-256 over OpenSSL's EVP interface, so a blob is hashed as it passes by.
/// A class because the EVP context is a C resource that must be freed exactly once.
public final class SHA256Hasher: @unchecked Sendable {
    private let context: OpaquePointer
    public private(set) var count: Int64 = 0

    public init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
        count += Int64(bytes.count)
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Ends the hash; the hasher must not be used afterwards.
    public func finalize() -> Digest {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &out, &length)
        let hex = out.map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
        // Cannot fail: 64 lowercase hex digits by construction.
        return try! Digest(algorithm: "sha256", encoded: hex)
    }
}

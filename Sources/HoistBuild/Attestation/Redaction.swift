import Foundation

/// What an attestation must not carry, taken out of the text it quotes: credentials written into
/// URLs (`https://user:token@host/…`, in a git remote, an ADD source or a step's command line) and
/// URL query strings, where presigned tokens live (`?X-Amz-Signature=…`).
enum Redaction {
    /// Every `SCHEME://USERINFO@` in `text` becomes `SCHEME://`.
    static func withoutCredentials(_ text: String) -> String {
        guard text.contains("@") else { return text }
        return text.replacingOccurrences(of: #"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@"#, with: "$1", options: .regularExpression)
    }

    /// `url` without credentials, query or fragment.
    static func sourceURL(_ url: String) -> String {
        let bare = withoutCredentials(url)
        return String(bare[..<(bare.firstIndex { $0 == "?" || $0 == "#" } ?? bare.endIndex)])
    }
}

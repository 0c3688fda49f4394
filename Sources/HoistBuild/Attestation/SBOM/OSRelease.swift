import Foundation

/// The distribution an image says it is, from its /etc/os-release (or /usr/lib/os-release): the
/// purl namespace and `distro=` qualifier of its deb and apk packages, as syft writes them.
///
/// Format (os-release(5)): `KEY=value` lines, values optionally in double or single quotes, with
/// backslash escapes inside double quotes; `#` comment lines. Only `ID` and `VERSION_ID` are kept;
/// other keys and lines that are not assignments are skipped.
public struct OSRelease: Sendable, Equatable, Codable {
    /// `ID=`, e.g. `debian`, `alpine`; nil when absent or empty.
    public var id: String?
    /// `VERSION_ID=`, e.g. `12`, `3.19.1`; nil when absent or empty (Debian testing has none).
    public var versionID: String?

    public init(id: String? = nil, versionID: String? = nil) {
        self.id = id
        self.versionID = versionID
    }

    public init(parsing text: String) {
        self.init()
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            let value = Self.unquote(trimmed[trimmed.index(after: equals)...])
            switch trimmed[..<equals] {
            case "ID": id = value.isEmpty ? nil : value
            case "VERSION_ID": versionID = value.isEmpty ? nil : value
            default: continue
            }
        }
    }

    /// `ID-VERSION_ID` (`debian-12`, `alpine-3.19.1`) for a purl's `distro=`; nil unless both are known.
    public var distro: String? {
        guard let id, let versionID else { return nil }
        return "\(id)-\(versionID)"
    }

    /// os-release values are shell-quoted; a value without quotes is taken as it stands.
    private static func unquote(_ raw: Substring) -> String {
        guard let quote = raw.first, quote == "\"" || quote == "'" else { return String(raw) }
        var result = "", escaped = false
        for character in raw.dropFirst() {
            if escaped {
                result.append(character)
                escaped = false
            } else if quote == "\"" && character == "\\" {
                escaped = true
            } else if character == quote {
                break
            } else {
                result.append(character)
            }
        }
        return result
    }
}

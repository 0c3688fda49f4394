import Foundation

/// Reads dpkg's database of installed packages: `/var/lib/dpkg/status`, or one file of a distroless
/// image's `/var/lib/dpkg/status.d/`.
///
/// Format (deb822(5), dpkg-query(1)): stanzas separated by blank lines (whitespace-only lines count
/// as blank); `Field: value` lines, field names case-insensitive; a line starting with a space or tab
/// continues the field above. A stanza is kept when its `Status:` ends in the word `installed`
/// (`install ok installed`, `hold ok installed`) or when it has no `Status:` at all, as distroless
/// status.d files have none; `deinstall ok config-files`, `half-installed` and the like are skipped,
/// as are stanzas without `Package:` or `Version:` and lines that are neither a field nor a
/// continuation. dpkg records no licence, so `license` is always nil.
///
/// The purl is syft's: `pkg:deb/ID/NAME@VERSION?arch=ARCH&distro=ID-VERSION_ID`, ID `debian` when the
/// image has no os-release, plus `upstream=SOURCE` (or `SOURCE@SOURCEVERSION` for the
/// `Source: name (version)` form) when the source package's name differs from the binary's.
public enum DpkgStatus {
    /// The installed packages in one status file's text; `path` is where it is in the image.
    public static func packages(in text: String, path: String, os: OSRelease?) -> [SBOMPackage] {
        stanzas(text).compactMap { package(from: $0, path: path, os: os) }
    }

    private static func package(from fields: [String: String], path: String, os: OSRelease?) -> SBOMPackage? {
        if let status = fields["status"], status.split(whereSeparator: \.isWhitespace).last != "installed" { return nil }
        guard let name = fields["package"], !name.isEmpty, let version = fields["version"], !version.isEmpty else { return nil }
        var qualifiers = ["arch": fields["architecture"] ?? "", "distro": os?.distro ?? ""]
        if let source = fields["source"], let upstream = upstream(source, binary: name) {
            qualifiers["upstream"] = upstream
        }
        let purl = PackageURL(type: "deb", namespace: [os?.id ?? "debian"], name: name, version: version, qualifiers: qualifiers)
        let maintainer = fields["maintainer"].flatMap { $0.isEmpty ? nil : $0 }
        return SBOMPackage(ecosystem: .deb, name: name, version: version, supplier: maintainer, purl: purl.description, path: path)
    }

    /// `Source: NAME` or `Source: NAME (VERSION)` as syft's upstream qualifier: `NAME` or
    /// `NAME@VERSION`; nil when the source package has the binary package's own name.
    private static func upstream(_ source: String, binary: String) -> String? {
        let words = source.split(whereSeparator: \.isWhitespace)
        guard let sourceName = words.first, sourceName != binary else { return nil }
        let rest = words.dropFirst().joined(separator: " ")
        guard rest.hasPrefix("("), rest.hasSuffix(")"), rest.count > 2 else { return String(sourceName) }
        return "\(sourceName)@\(rest.dropFirst().dropLast())"
    }

    /// The fields the packages are made from; the rest (Description, Conffiles…) are not kept.
    private static let wanted: Set<String> = ["package", "status", "version", "architecture", "maintainer", "source"]

    /// Each stanza as its wanted fields, names lowercased; a continued value keeps its line breaks.
    /// A field given twice keeps its first value.
    private static func stanzas(_ text: String) -> [[String: String]] {
        var stanzas: [[String: String]] = [], fields: [String: String] = [:], seen = false, last: String?
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if seen { stanzas.append(fields) }
                fields = [:]
                seen = false
                last = nil
            } else if line.first == " " || line.first == "\t" {
                if let last, let value = fields[last] { fields[last] = value + "\n" + line.trimmingCharacters(in: .whitespaces) }
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                seen = true
                last = nil
                guard wanted.contains(name), fields[name] == nil else { continue }
                fields[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                last = name
            } else {
                last = nil
            }
        }
        if seen { stanzas.append(fields) }
        return stanzas
    }
}

import Foundation

/// Reads apk-tools' database of installed packages, `/lib/apk/db/installed` (Alpine, Wolfi, Chainguard).
///
/// Format (apk-tools' database, documented by Alpine's wiki "Apk spec"): stanzas separated by blank
/// lines, one `X:value` line per field with a case-sensitive one-letter key. Read: `P` name, `V`
/// version, `A` architecture, `L` licence, `m` maintainer, `o` origin (the source package). The file
/// lists (`F:`, `R:`, `Z:`…), checksums and dependencies are skipped, as are stanzas without `P` or
/// `V` and lines that are not `X:value`; a field given twice keeps its first value.
///
/// The purl is syft's: `pkg:apk/ID/NAME@VERSION?arch=ARCH&distro=ID-VERSION_ID`, ID `alpine` when the
/// image has no os-release, plus `upstream=ORIGIN` when the origin differs from the name.
public enum ApkInstalled {
    /// The installed packages in the database's text; `path` is where it is in the image.
    public static func packages(in text: String, path: String, os: OSRelease?) -> [SBOMPackage] {
        stanzas(text).compactMap { package(from: $0, path: path, os: os) }
    }

    private static func package(from fields: [Character: String], path: String, os: OSRelease?) -> SBOMPackage? {
        guard let name = fields["P"], !name.isEmpty, let version = fields["V"], !version.isEmpty else { return nil }
        var qualifiers = ["arch": fields["A"] ?? "", "distro": os?.distro ?? ""]
        if let origin = fields["o"], origin != name { qualifiers["upstream"] = origin }
        let purl = PackageURL(type: "apk", namespace: [os?.id ?? "alpine"], name: name, version: version, qualifiers: qualifiers)
        return SBOMPackage(
            ecosystem: .apk, name: name, version: version, license: nonEmpty(fields["L"]), supplier: nonEmpty(fields["m"]),
            purl: purl.description, path: path)
    }

    private static func nonEmpty(_ value: String?) -> String? {
        value.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The fields the packages are made from; the file lists, which make most of the database, are not kept.
    private static let wanted: Set<Character> = ["P", "V", "A", "L", "m", "o"]

    private static func stanzas(_ text: String) -> [[Character: String]] {
        var stanzas: [[Character: String]] = [], fields: [Character: String] = [:], seen = false
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if seen { stanzas.append(fields) }
                fields = [:]
                seen = false
                continue
            }
            guard let key = line.first, line.dropFirst().first == ":" else { continue }
            seen = true
            if wanted.contains(key), fields[key] == nil {
                fields[key] = String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces)
            }
        }
        if seen { stanzas.append(fields) }
        return stanzas
    }
}

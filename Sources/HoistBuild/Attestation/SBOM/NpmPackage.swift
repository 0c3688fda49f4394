import Foundation

/// Reads one installed npm package's manifest, a `node_modules/**/package.json`.
///
/// Format (npm's package.json documentation): a JSON object; a package is one with string `name`
/// and `version`, so the nested package.json files some packages ship (`{"type": "module"}`) give
/// nothing. The licence is `license` when a string, else `license.type` (the older object form),
/// else the `type` (or string) of the first of `licenses`; the supplier is `author` when a string
/// (`Name <email> (url)`, as written), else `author.name`. Other fields, dependencies included,
/// are not read: each installed package has its own package.json.
/// The purl is `pkg:npm/NAME@VERSION`, a scoped name's scope being the namespace (`@babel/core` →
/// `pkg:npm/%40babel/core@…`).
public enum NpmPackage {
    /// The package the manifest describes; nil when it is not JSON or has no string name and version.
    public static func package(in bytes: [UInt8], path: String) -> SBOMPackage? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let name = nonEmpty(object["name"]), let version = nonEmpty(object["version"])
        else { return nil }
        let purl = name.hasPrefix("@")
            ? PackageURL(type: "npm", path: name, version: version)
            : PackageURL(type: "npm", name: name, version: version)
        return SBOMPackage(
            ecosystem: .npm, name: name, version: version, license: license(object), supplier: author(object["author"]),
            purl: purl.description, path: path)
    }

    private static func license(_ object: [String: Any]) -> String? {
        if let text = nonEmpty(object["license"]) { return text }
        if let type = (object["license"] as? [String: Any]).flatMap({ nonEmpty($0["type"]) }) { return type }
        guard let first = (object["licenses"] as? [Any])?.first else { return nil }
        return nonEmpty(first) ?? (first as? [String: Any]).flatMap { nonEmpty($0["type"]) }
    }

    private static func author(_ value: Any?) -> String? {
        nonEmpty(value) ?? (value as? [String: Any]).flatMap { nonEmpty($0["name"]) }
    }

    private static func nonEmpty(_ value: Any?) -> String? {
        guard let text = value as? String else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}

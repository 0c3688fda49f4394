import Foundation

/// Reads an installed Python distribution's metadata: `*.dist-info/METADATA` (wheels, pip) or
/// `*.egg-info/PKG-INFO` (setuptools eggs), the same format.
///
/// Format (PyPA's Core metadata specification, versions 1.0 to 2.4): RFC 822 email headers,
/// `Field: value`, a line starting with whitespace continuing the field above; the headers end at
/// the first empty line, and the long description after it is not read. Field names are matched
/// case-insensitively. The licence is `License-Expression` (2.4, SPDX) when given, else `License`
/// unless it is empty or `UNKNOWN`, else the last segment of the first `Classifier: License :: …`
/// (`License :: OSI Approved :: MIT License` gives `MIT License`). Author fields are not read.
/// The purl is `pkg:pypi/NAME@VERSION` with the name normalised as PEP 503 does (`PyYAML` →
/// `pyyaml`, `zope.interface` → `zope-interface`); the package keeps the name as written.
public enum PythonMetadata {
    /// The distribution the file describes; nil without a `Name` and a `Version`.
    public static func package(in text: String, path: String) -> SBOMPackage? {
        let headers = headers(text)
        func first(_ field: String) -> String? {
            headers.first { $0.name == field && !$0.value.isEmpty }?.value
        }
        guard let name = first("name"), let version = first("version") else { return nil }
        return SBOMPackage(
            ecosystem: .pypi, name: name, version: version, license: license(headers),
            purl: PackageURL(type: "pypi", name: name, version: version).description, path: path)
    }

    private static func license(_ headers: [(name: String, value: String)]) -> String? {
        if let expression = headers.first(where: { $0.name == "license-expression" && !$0.value.isEmpty }) {
            return expression.value
        }
        if let free = headers.first(where: { $0.name == "license" && !$0.value.isEmpty && $0.value != "UNKNOWN" }) {
            return free.value
        }
        for header in headers where header.name == "classifier" {
            let segments = header.value.components(separatedBy: "::").map { $0.trimmingCharacters(in: .whitespaces) }
            if segments.count >= 2, segments[0] == "License", let last = segments.last, !last.isEmpty { return last }
        }
        return nil
    }

    /// The header fields in order (names lowercased; a field may repeat, as `Classifier` does), with
    /// continuation lines joined by line breaks.
    private static func headers(_ text: String) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        var continuing = false
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            // Only an empty line ends the headers: a whitespace-only one continues a field, which is how
            // setuptools writes the blank lines of a multi-line License.
            if line.isEmpty { break }
            if line.first == " " || line.first == "\t" {
                if continuing, let last = headers.indices.last {
                    headers[last].value += "\n" + line.trimmingCharacters(in: .whitespaces)
                }
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                headers.append((name, line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
                continuing = true
            } else {
                continuing = false
            }
        }
        return headers
    }
}

import Foundation
import HoistOCI

/// An SPDX 2.3 document in JSON (spdx.github.io/spdx-spec/v2.3) describing an image: one package
/// for the image itself, which CONTAINS one package per `SBOMPackage`, each with its purl as a
/// PACKAGE-MANAGER external reference, where it was read in `sourceInfo`, and the layer digest it
/// came from in `comment`. A licence is declared as the database gives it when it is an SPDX
/// expression of known identifiers, else as a `LicenseRef-` with the original text.
struct SPDXDocument: Encodable {
    static let predicateType = "https://spdx.dev/Document"

    struct CreationInfo: Encodable {
        var created: String
        var creators: [String]
    }

    struct ExternalReference: Encodable {
        var referenceCategory = "PACKAGE-MANAGER"
        var referenceType = "purl"
        var referenceLocator: String
    }

    struct Package: Encodable {
        var SPDXID: String
        var name: String
        var versionInfo: String?
        var downloadLocation = "NOASSERTION"
        var filesAnalyzed = false
        var licenseConcluded = "NOASSERTION"
        var licenseDeclared = "NOASSERTION"
        var copyrightText = "NOASSERTION"
        var supplier: String?
        var sourceInfo: String?
        var comment: String?
        var externalRefs: [ExternalReference]?
        var primaryPackagePurpose: String?
    }

    struct ExtractedLicense: Encodable {
        var licenseId: String
        var extractedText: String
        var name: String
    }

    struct Relationship: Encodable {
        var spdxElementId: String
        var relationshipType: String
        var relatedSpdxElement: String
    }

    var spdxVersion = "SPDX-2.3"
    var dataLicense = "CC0-1.0"
    var SPDXID = "SPDXRef-DOCUMENT"
    var name: String
    var documentNamespace: String
    var creationInfo: CreationInfo
    var packages: [Package]
    var hasExtractedLicensingInfos: [ExtractedLicense]?
    var relationships: [Relationship]

    /// `name` names the image (its purl, or its digest); `created` is the build's time (the
    /// SOURCE_DATE_EPOCH when set). The namespace comes from the image digest and `name`, so the same
    /// image and packages always give the same document.
    init(name: String, image: Digest, packages found: [SBOMPackage], created: Date) {
        self.name = name
        documentNamespace = "urn:hoist:sbom:\(image.algorithm):\(image.encoded):\(Digest.sha256(of: Array(name.utf8)).encoded.prefix(12))"
        creationInfo = CreationInfo(created: BuildClock.timestamp(created), creators: ["Tool: hoist"])
        let imageID = "SPDXRef-Image"
        var packages = [Package(SPDXID: imageID, name: name, versionInfo: image.description,
                                externalRefs: nil, primaryPackagePurpose: "CONTAINER")]
        var relationships = [Relationship(spdxElementId: SPDXID, relationshipType: "DESCRIBES", relatedSpdxElement: imageID)]
        var extracted: [String: ExtractedLicense] = [:]
        for (n, found) in found.enumerated() {
            let id = "SPDXRef-Package-\(n + 1)"
            var package = Package(SPDXID: id, name: found.name, versionInfo: found.version,
                                  externalRefs: [ExternalReference(referenceLocator: found.purl)])
            package.sourceInfo = "acquired package info from \(found.path)"
            package.comment = found.layer.map { "layer \($0)" }
            package.supplier = found.supplier.map { "Person: \(SPDXDocument.singleLine($0))" }
            if let license = found.license?.trimmingCharacters(in: .whitespacesAndNewlines), !license.isEmpty {
                if SPDXLicense.isExpression(license) {
                    package.licenseDeclared = license
                } else {
                    let ref = "LicenseRef-" + SPDXLicense.idString(license)
                    package.licenseDeclared = ref
                    extracted[ref] = ExtractedLicense(licenseId: ref, extractedText: license, name: SPDXDocument.singleLine(license))
                }
            }
            packages.append(package)
            relationships.append(Relationship(spdxElementId: imageID, relationshipType: "CONTAINS", relatedSpdxElement: id))
        }
        self.packages = packages
        self.relationships = relationships
        hasExtractedLicensingInfos = extracted.isEmpty ? nil : extracted.keys.sorted().map { extracted[$0]! }
    }

    static func singleLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}

import HoistOCI

/// One software package found in an image, as an SBOM lists it.
///
/// The readers beside it (`DpkgStatus`, `ApkInstalled`, `GoBuildInfo`, `PythonMetadata`,
/// `NpmPackage`) make these from one package-database file each; the image scanner sets `layer`.
public struct SBOMPackage: Sendable, Equatable, Codable {
    /// The package manager whose database named it; also the purl type.
    public enum Ecosystem: String, Sendable, Codable { case deb, apk, golang, pypi, npm }

    public var ecosystem: Ecosystem
    public var name: String
    public var version: String
    /// Licence as the database states it (an SPDX expression or free text); nil when it gives none.
    public var license: String?
    /// Who supplies it (dpkg Maintainer, apk m:, npm author), as written; nil when absent.
    public var supplier: String?
    /// Package URL (https://github.com/package-url/purl-spec), e.g. pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12
    public var purl: String
    /// The file in the image it was read from, absolute, e.g. /var/lib/dpkg/status
    public var path: String
    /// The layer that holds `path` in the final image; set by the scanner, nil from the readers.
    public var layer: Digest?

    public init(
        ecosystem: Ecosystem, name: String, version: String, license: String? = nil, supplier: String? = nil,
        purl: String, path: String, layer: Digest? = nil
    ) {
        self.ecosystem = ecosystem
        self.name = name
        self.version = version
        self.license = license
        self.supplier = supplier
        self.purl = purl
        self.path = path
        self.layer = layer
    }
}

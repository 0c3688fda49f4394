import Foundation
import HoistTestSupport
import Testing
@testable import HoistBuild

/// The SBOM's package-database readers, each on inline samples of its format, and dpkg also on a
/// real Debian 12 rootfs where the test data cache has one.
struct SBOMReaderTests {
    static let debian12 = OSRelease(id: "debian", versionID: "12")

    // MARK: Package URL and os-release

    @Test func purlPercentEncodesAllButUnreservedCharactersAndSortsQualifiers() {
        let deb = PackageURL(
            type: "DEB", namespace: ["debian"], name: "libc++1", version: "1:2.3-4+b1~x_y",
            qualifiers: ["upstream": "foo@1.2", "arch": "amd64", "distro": "", "Empty": ""])
        #expect(deb.description == "pkg:deb/debian/libc%2B%2B1@1%3A2.3-4%2Bb1~x_y?arch=amd64&upstream=foo%401.2")
        let npm = PackageURL(type: "npm", path: "@babel/core", version: "7.0.0 beta/ü")
        #expect(npm.description == "pkg:npm/%40babel/core@7.0.0%20beta%2F%C3%BC")
        #expect(PackageURL(type: "golang", name: "stdlib", version: nil).description == "pkg:golang/stdlib")
    }

    @Test func purlNormalisesPypiNames() {
        #expect(PackageURL(type: "pypi", name: "Zope.._Interface-", version: "5.0").description == "pkg:pypi/zope-interface-@5.0")
        #expect(PackageURL(type: "pypi", name: "PyYAML", version: "6.0.1").description == "pkg:pypi/pyyaml@6.0.1")
    }

    @Test func osReleaseStripsQuotesAndGivesTheDistroQualifier() {
        let text = """
            PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
            # ID=ubuntu
            NAME="Debian GNU/Linux"
            VERSION_ID="12"
            ID=debian

            """
        #expect(OSRelease(parsing: text) == OSRelease(id: "debian", versionID: "12"))
        #expect(OSRelease(parsing: text).distro == "debian-12")
        #expect(OSRelease(parsing: "ID='alpine'\r\nVERSION_ID=3.19.1\r\n").distro == "alpine-3.19.1")
        #expect(OSRelease(parsing: "ID=\"deb\\\"x\"").id == "deb\"x")
        #expect(OSRelease(parsing: "ID=debian\nVERSION_CODENAME=trixie").distro == nil)
    }

    // MARK: dpkg

    static let status = """
        Package: bash
        Essential: yes
        Status: install ok installed
        Priority: required
        Maintainer: Matthias Klose <doko@debian.org>
        Architecture: amd64
        Source: bash (5.2.15-2)
        Version: 5.2.15-2+b2
        Description: GNU Bourne Again SHell
         Bash is an sh-compatible command language interpreter.
         .
         Package: not-a-package
         Version: 0

        Package: old-config
        Status: deinstall ok config-files
        Architecture: amd64
        Version: 1.0-1

        Package: libuuid1
        Status: hold ok installed
        Maintainer: util-linux packagers
         <util-linux@packages.debian.org>
        Architecture: amd64
        Source: util-linux (2.38.1-5+deb12u3)
        Version: 2.38.1-5+deb12u3

        Package: broken
        Status: install ok half-installed
        Version: 2

        Package: gcc-12-base
        Status: install ok installed
        Architecture: amd64
        Source: gcc-12
        Version: 12.2.0-14

        """

    @Test func dpkgStatusKeepsOnlyInstalledPackagesWithTheirVersions() {
        let packages = DpkgStatus.packages(in: Self.status, path: "/var/lib/dpkg/status", os: Self.debian12)
        #expect(packages.map(\.name) == ["bash", "libuuid1", "gcc-12-base"])
        #expect(packages.map(\.version) == ["5.2.15-2+b2", "2.38.1-5+deb12u3", "12.2.0-14"])
        #expect(packages.allSatisfy { $0.ecosystem == .deb && $0.path == "/var/lib/dpkg/status" && $0.license == nil && $0.layer == nil })
        #expect(packages.first?.purl == "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12")
        #expect(packages.first?.supplier == "Matthias Klose <doko@debian.org>")
    }

    @Test func dpkgContinuationLinesJoinTheFieldAbove() {
        let packages = DpkgStatus.packages(in: Self.status, path: "/var/lib/dpkg/status", os: Self.debian12)
        #expect(packages.dropFirst().first?.supplier == "util-linux packagers\n<util-linux@packages.debian.org>")
    }

    @Test func dpkgSourcePackageOfAnotherNameIsTheUpstreamQualifier() {
        let purls = DpkgStatus.packages(in: Self.status, path: "/var/lib/dpkg/status", os: Self.debian12).map(\.purl)
        #expect(purls == [
            "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12",
            "pkg:deb/debian/libuuid1@2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=util-linux%402.38.1-5%2Bdeb12u3",
            "pkg:deb/debian/gcc-12-base@12.2.0-14?arch=amd64&distro=debian-12&upstream=gcc-12",
        ])
    }

    @Test func dpkgStanzaWithoutStatusCountsAsInstalled() {
        // A distroless image's /var/lib/dpkg/status.d/libssl3: one stanza, no Status field.
        let text = "Package: libssl3\nVersion: 3.0.11-1~deb12u2\nArchitecture: arm64\nSource: openssl\n"
        let packages = DpkgStatus.packages(in: text, path: "/var/lib/dpkg/status.d/libssl3", os: Self.debian12)
        #expect(packages == [SBOMPackage(
            ecosystem: .deb, name: "libssl3", version: "3.0.11-1~deb12u2",
            purl: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=arm64&distro=debian-12&upstream=openssl",
            path: "/var/lib/dpkg/status.d/libssl3")])
    }

    @Test func dpkgEpochVersionIsKeptAndItsColonEncodedInThePurl() {
        let text = "Package: mount\r\nStatus: install ok installed\r\nArchitecture: amd64\r\nVersion: 1:2.3-4\r\n"
        let package = DpkgStatus.packages(in: text, path: "/var/lib/dpkg/status", os: nil).first
        #expect(package?.version == "1:2.3-4")
        #expect(package?.purl == "pkg:deb/debian/mount@1%3A2.3-4?arch=amd64")
    }

    @Test func dpkgNamespaceIsTheImagesDistribution() {
        let text = "Package: bash\nStatus: install ok installed\nArchitecture: arm64\nVersion: 5.2.21-2ubuntu4\n"
        let ubuntu = OSRelease(id: "ubuntu", versionID: "24.04")
        #expect(DpkgStatus.packages(in: text, path: "/var/lib/dpkg/status", os: ubuntu).map(\.purl)
            == ["pkg:deb/ubuntu/bash@5.2.21-2ubuntu4?arch=arm64&distro=ubuntu-24.04"])
    }

    @Test func dpkgMalformedInputGivesWhatParses() {
        let text = "\n\n\u{0}garbage line\n: no name\nPackage: nover\n\nPackage: ok\nVersion: 1\n\n \n\t\nPackage:\nVersion: 2\nPackage: x"
        #expect(DpkgStatus.packages(in: text, path: "/s", os: nil).map(\.name) == ["ok"])
        #expect(DpkgStatus.packages(in: "", path: "/s", os: nil).isEmpty)
    }

    static let testdataCache = ProcessInfo.processInfo.environment["HOIST_TESTDATA_CACHE"] ?? "/var/cache/hoist-testdata"
    static let bookworm = testdataCache + "/debian-bookworm.tar"

    @Test(.enabled(
        if: FileManager.default.fileExists(atPath: bookworm),
        "the Debian 12 rootfs is absent: Testdata/make-debian-image.sh --rootfs-only makes it"))
    func dpkgReadsEveryInstalledPackageOfADebianRootfs() throws {
        let status = try Shell.check(["tar", "-xOf", Self.bookworm, "./var/lib/dpkg/status"])
        // /etc/os-release is a symlink to this one, which tar -O would print as nothing.
        let os = OSRelease(parsing: try Shell.check(["tar", "-xOf", Self.bookworm, "./usr/lib/os-release"]))
        #expect(os == Self.debian12)
        let packages = DpkgStatus.packages(in: status, path: "/var/lib/dpkg/status", os: os)

        // Counted and read again by other tools, from the tar itself.
        let count = try Shell.check(["sh", "-c", #"tar -xOf "$1" ./var/lib/dpkg/status | grep -c '^Status: install ok installed$'"#, "sh", Self.bookworm])
        #expect(packages.count == Int(count.trimmingCharacters(in: .whitespacesAndNewlines)))
        let awk = """
            BEGIN { RS = ""; FS = "\\n" }
            { p = ""; v = ""; a = ""; s = ""
              for (i = 1; i <= NF; i++) {
                if ($i ~ /^Package: /) p = substr($i, 10)
                else if ($i ~ /^Version: /) v = substr($i, 10)
                else if ($i ~ /^Architecture: /) a = substr($i, 15)
                else if ($i ~ /^Status: /) s = substr($i, 9)
              }
              if (s == "install ok installed") print p " " v " " a }
            """
        let fields = try Shell.check(["sh", "-c", #"tar -xOf "$1" ./var/lib/dpkg/status | awk "$2""#, "sh", Self.bookworm, awk])
            .split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(packages.map { "\($0.name) \($0.version)" }.sorted() == fields.map { $0.prefix(2).joined(separator: " ") }.sorted())
        var architecture: [String: String] = [:], version: [String: String] = [:]
        for field in fields where field.count == 3 {
            version[field[0]] = field[1]
            architecture[field[0]] = field[2]
        }

        for name in ["base-files", "dpkg"] {
            let package = try #require(packages.first { $0.name == name })
            let expected = try #require(version[name])
            #expect(package.version == expected)
            #expect(package.purl == PackageURL(
                type: "deb", namespace: ["debian"], name: name, version: expected,
                qualifiers: ["arch": architecture[name] ?? "", "distro": "debian-12"]).description)
            #expect(package.supplier?.isEmpty == false)
        }
        #expect(packages.first { $0.name == "base-files" }?.version.hasPrefix("12") == true)
    }

    // MARK: apk

    static let installed = """
        C:Q1p78yvTLG094tHE1+dToJGbmYzQE=
        P:musl
        V:1.2.4_git20230717-r4
        A:x86_64
        S:407497
        I:663552
        T:the musl c library (libc) implementation
        U:https://musl.libc.org/
        L:MIT
        o:musl
        m:Timo Teräs <timo.teras@iki.fi>
        t:1705330049
        F:lib
        R:ld-musl-x86_64.so.1

        P:libcrypto3
        V:3.1.4-r5
        A:x86_64
        L:Apache-2.0
        o:openssl
        m:Ariadne Conill <ariadne@dereferenced.org>
        p:so:libcrypto.so.3=3
        F:usr/lib
        R:libcrypto.so.3

        P:half
        A:x86_64

        """

    @Test func apkInstalledReadsNameVersionLicenseMaintainerAndOrigin() {
        let alpine = OSRelease(id: "alpine", versionID: "3.19.1")
        let packages = ApkInstalled.packages(in: Self.installed, path: "/lib/apk/db/installed", os: alpine)
        #expect(packages == [
            SBOMPackage(
                ecosystem: .apk, name: "musl", version: "1.2.4_git20230717-r4", license: "MIT",
                supplier: "Timo Teräs <timo.teras@iki.fi>",
                purl: "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1", path: "/lib/apk/db/installed"),
            SBOMPackage(
                ecosystem: .apk, name: "libcrypto3", version: "3.1.4-r5", license: "Apache-2.0",
                supplier: "Ariadne Conill <ariadne@dereferenced.org>",
                purl: "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl",
                path: "/lib/apk/db/installed"),
        ])
    }

    @Test func apkWithoutOSReleaseIsAlpineWithoutDistro() {
        let text = "P:busybox\nV:1.36.1-r15\nA:aarch64\nL:GPL-2.0-only\nweird line\n::\n"
        let packages = ApkInstalled.packages(in: text, path: "/lib/apk/db/installed", os: nil)
        #expect(packages.map(\.purl) == ["pkg:apk/alpine/busybox@1.36.1-r15?arch=aarch64"])
        #expect(packages.first?.supplier == nil)
        let wolfi = OSRelease(parsing: "ID=wolfi\nVERSION_ID=20230201\n")
        #expect(ApkInstalled.packages(in: text, path: "/lib/apk/db/installed", os: wolfi).map(\.purl)
            == ["pkg:apk/wolfi/busybox@1.36.1-r15?arch=aarch64&distro=wolfi-20230201"])
    }

    // MARK: Go

    static let modinfo = "path\texample.com/app\nmod\texample.com/app\t(devel)\t\n"
        + "dep\tgithub.com/pkg/errors\tv0.9.1\th1:abc=\ndep\texample.com/greet\tv1.2.3\t\n=>\t./greet\t(devel)\t\n"
        + "build\t-compiler=gc\n"

    /// A binary-like blob: random bytes, then Go ≥ 1.18 build information at `offset`.
    static func goBinary(at offset: Int, flags: UInt8 = 2, goVersion: String = "go1.19.8", modinfo: String = modinfo) -> [UInt8] {
        var bytes = (0..<offset).map { _ in UInt8.random(in: 0...255) }
        bytes += [0xFF] + Array(" Go buildinf:".utf8) + [8, flags] + [UInt8](repeating: 0, count: 16)
        let sentinelStart: [UInt8] = [0x30, 0x77, 0xAF, 0x0C, 0x92, 0x74, 0x08, 0x02, 0x41, 0xE1, 0xC1, 0x07, 0xE6, 0xD6, 0x18, 0xE6]
        let sentinelEnd: [UInt8] = [0xF9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72, 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xD8, 0xF2]
        for string in [Array(goVersion.utf8), sentinelStart + Array(modinfo.utf8) + sentinelEnd] {
            var length = string.count
            while length >= 0x80 {
                bytes.append(UInt8(length & 0x7F) | 0x80)
                length >>= 7
            }
            bytes.append(UInt8(length))
            bytes += string
        }
        return bytes + (0..<100).map { _ in UInt8.random(in: 0...255) }
    }

    @Test func goBuildInfoListsMainModuleDependenciesAndStdlib() throws {
        let info = try #require(GoBuildInfo.read(Self.goBinary(at: 4096)))
        #expect(info.goVersion == "go1.19.8")
        #expect(info.modinfo == Self.modinfo)
        let packages = GoBuildInfo.packages(in: Self.goBinary(at: 4096), path: "/app")
        #expect(packages.map(\.name) == ["example.com/app", "github.com/pkg/errors", "example.com/greet", "stdlib"])
        #expect(packages.map(\.version) == ["(devel)", "v0.9.1", "v1.2.3", "1.19.8"])
        #expect(packages.map(\.purl) == [
            "pkg:golang/example.com/app@%28devel%29",
            "pkg:golang/github.com/pkg/errors@v0.9.1",
            "pkg:golang/example.com/greet@v1.2.3",
            "pkg:golang/stdlib@1.19.8",
        ])
        #expect(packages.allSatisfy { $0.ecosystem == .golang && $0.path == "/app" && $0.license == nil && $0.supplier == nil })
    }

    @Test func goBuildInfoKeepsTheOriginalPathAndVersionOfAReplacedModule() {
        let packages = GoBuildInfo.packages(in: Self.goBinary(at: 64), path: "/app")
        #expect(packages.contains { $0.name == "example.com/greet" && $0.version == "v1.2.3" })
        #expect(!packages.contains { $0.name == "./greet" })
    }

    @Test func goBuildInfoNeedsTheMagicAtAnAlignedOffset() {
        #expect(GoBuildInfo.packages(in: (0..<10_000).map { _ in UInt8.random(in: 0...255) }, path: "/bin/sh").isEmpty)
        #expect(GoBuildInfo.packages(in: [], path: "/empty").isEmpty)
        #expect(GoBuildInfo.read(Self.goBinary(at: 4096 + 8)) == nil)
        #expect(GoBuildInfo.read(Self.goBinary(at: 4096 + 1)) == nil)
        #expect(GoBuildInfo.read(Self.goBinary(at: 0))?.goVersion == "go1.19.8")
    }

    @Test func goBuildInfoSkipsAnUnparsableMatchAndFindsTheNextOne() {
        // A decoy magic (another pointer size) before the real header, as a program quoting it would have.
        var decoy = [0xFF] + Array(" Go buildinf:".utf8) + [0x41, 0x42]
        decoy += [UInt8](repeating: 0x41, count: 16)
        let bytes = decoy + Self.goBinary(at: 16 * 7)
        #expect(GoBuildInfo.read(bytes)?.goVersion == "go1.19.8")
    }

    @Test func goBuildInfoOfTheOldPointerFormatIsNotRead() {
        #expect(GoBuildInfo.read(Self.goBinary(at: 32, flags: 0)) == nil)
        #expect(GoBuildInfo.packages(in: Self.goBinary(at: 32, flags: 1), path: "/old").isEmpty)
    }

    @Test func goBuildInfoTruncatedOrUnframedDoesNotCrash() {
        let whole = Self.goBinary(at: 128)
        for end in stride(from: 128, to: 128 + 80, by: 1) {
            _ = GoBuildInfo.packages(in: Array(whole[..<end]), path: "/cut")
        }
        // A length that runs past the end.
        let huge = Array(whole[..<160]) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] + Array("go".utf8)
        #expect(GoBuildInfo.read(huge) == nil)
        // Module information without its framing counts as none, as debug/buildinfo has it: stdlib only.
        let unframed = Self.goBinary(at: 16, goVersion: "go1.21.0 X:loopvar", modinfo: "")
        #expect(GoBuildInfo.packages(in: unframed, path: "/x").map(\.purl) == ["pkg:golang/stdlib@1.21.0"])
    }

    // MARK: Python

    @Test func pythonMetadataReadsNameVersionAndLicenseExpression() {
        let text = """
            Metadata-Version: 2.4
            Name: Zope.Interface
            Version: 6.1
            License: ZPL 2.1
            License-Expression: ZPL-2.1
            Classifier: License :: OSI Approved :: Zope Public License

            Name: not-this
            """
        let package = PythonMetadata.package(in: text, path: "/usr/lib/python3/dist-packages/zope.interface-6.1.dist-info/METADATA")
        #expect(package == SBOMPackage(
            ecosystem: .pypi, name: "Zope.Interface", version: "6.1", license: "ZPL-2.1",
            purl: "pkg:pypi/zope-interface@6.1",
            path: "/usr/lib/python3/dist-packages/zope.interface-6.1.dist-info/METADATA"))
    }

    @Test func pythonMetadataLicenseFallsBackToLicenseThenClassifier() {
        let free = "Name: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n  and more\nClassifier: License :: OSI Approved :: MIT License\n"
        #expect(PythonMetadata.package(in: free, path: "/m")?.license == "Apache 2.0\nand more")
        let classifier = """
            Metadata-Version: 2.1
            Name: PyYAML
            Version: 6.0.1
            License: UNKNOWN
            Classifier: Programming Language :: Python
            Classifier: License :: OSI Approved :: MIT License
            Classifier: License :: Other/Proprietary License

            """
        let package = PythonMetadata.package(in: classifier, path: "/m")
        #expect(package?.license == "MIT License")
        #expect(package?.purl == "pkg:pypi/pyyaml@6.0.1")
        #expect(PythonMetadata.package(in: "Name: a_b\nVersion: 1\nLicense:\n", path: "/m")?.license == nil)
    }

    @Test func pythonMetadataHeadersEndAtTheFirstEmptyLine() {
        #expect(PythonMetadata.package(in: "Name: six\n\nVersion: 1.16.0\n", path: "/m") == nil)
        #expect(PythonMetadata.package(in: "Version: 1\n", path: "/m") == nil)
        #expect(PythonMetadata.package(in: "", path: "/m") == nil)
        let crlf = PythonMetadata.package(in: "name: six\r\nVERSION: 1.16.0\r\n\r\nLicense: MIT\r\n", path: "/m")
        #expect(crlf?.version == "1.16.0")
        #expect(crlf?.license == nil)
    }

    // MARK: npm

    @Test func npmScopedNameIsTheNamespace() {
        let json = #"{"name": "@babel/core", "version": "7.23.9", "license": "MIT", "author": "The Babel Team (https://babel.dev/team)"}"#
        let path = "/app/node_modules/@babel/core/package.json"
        #expect(NpmPackage.package(in: Array(json.utf8), path: path) == SBOMPackage(
            ecosystem: .npm, name: "@babel/core", version: "7.23.9", license: "MIT",
            supplier: "The Babel Team (https://babel.dev/team)", purl: "pkg:npm/%40babel/core@7.23.9", path: path))
    }

    @Test func npmLicenseAndAuthorMayBeObjects() {
        let object = #"{"name": "left-pad", "version": "1.3.0", "license": {"type": "WTFPL"}, "author": {"name": "azer", "email": "a@b"}}"#
        let package = NpmPackage.package(in: Array(object.utf8), path: "/p")
        #expect(package?.license == "WTFPL")
        #expect(package?.supplier == "azer")
        #expect(package?.purl == "pkg:npm/left-pad@1.3.0")
        let array = #"{"name": "old", "version": "0.1.0", "licenses": [{"type": "BSD", "url": "x"}, {"type": "MIT"}]}"#
        #expect(NpmPackage.package(in: Array(array.utf8), path: "/p")?.license == "BSD")
        let none = #"{"name": "x", "version": "1.0.0", "license": 3, "author": ["no"]}"#
        #expect(NpmPackage.package(in: Array(none.utf8), path: "/p").map { [$0.license, $0.supplier] } == [nil, nil])
    }

    @Test func npmManifestWithoutStringNameAndVersionIsNotAPackage() {
        for json in [#"{"type": "module"}"#, #"{"name": "x"}"#, #"{"name": "x", "version": 1}"#, "[1]", "not json", ""] {
            #expect(NpmPackage.package(in: Array(json.utf8), path: "/p") == nil, "\(json)")
        }
    }
}

import Foundation
import HoistBuild
import HoistOCI
import HoistTestSupport
import Testing

/// Provenance and SBOM attestations: where buildx puts them, what they say, and what they never say.
@Suite struct AttestationTests {
    /// The in-toto statements of each image in an OCI archive Hoist wrote, read with tar and JSON
    /// alone: index.json ▸ the image index ▸ its attestation manifests ▸ their layers.
    struct ArchiveStatements {
        var index: [String: Any]
        /// Per attested image digest, its statements.
        var statements: [String: [[String: Any]]] = [:]
        var files: [String] = []
        let unpacked: TempDirectory

        init(_ archive: String) throws {
            unpacked = try TempDirectory("hoist-attest")
            let dir = unpacked.path
            try Shell.check(["tar", "-xf", archive, "-C", dir])
            func blob(_ digest: String) throws -> [String: Any] {
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/blobs/sha256/" + digest.dropFirst(7)))) as! [String: Any]
            }
            let top = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/index.json"))) as! [String: Any]
            index = try blob(((top["manifests"] as! [[String: Any]])[0])["digest"] as! String)
            for entry in index["manifests"] as! [[String: Any]] {
                let annotations = entry["annotations"] as? [String: String] ?? [:]
                guard annotations["vnd.docker.reference.type"] == "attestation-manifest", let subject = annotations["vnd.docker.reference.digest"] else { continue }
                let manifest = try blob(entry["digest"] as! String)
                for layer in manifest["layers"] as! [[String: Any]] {
                    let digest = layer["digest"] as! String
                    files.append(dir + "/blobs/sha256/" + digest.dropFirst(7))
                    statements[subject, default: []].append(try blob(digest))
                }
            }
        }

        func predicate(_ type: String, of image: Digest) -> [String: Any]? {
            statements[image.description]?.first { $0["predicateType"] as? String == type }?["predicate"] as? [String: Any]
        }
    }

    /// Runs Testdata/attestation/validate.py (in-toto and SLSA schemas, spdx-tools) over `files`.
    func expectValid(_ files: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try Shell.run([Paths.python, Paths.testdata + "/attestation/validate.py"] + files)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
    }

    @Test func aPushedSinglePlatformImageBecomesAnIndexWithItsAttestationManifest() async throws {
        let h = try BuildHarness(dockerfile: "FROM busybox:latest\nCOPY app.txt /app.txt\n", files: ["app.txt": "hello\n"])
        let tag = try h.uniqueTag()
        let result = try await h.build {
            $0.tags = [tag]
            $0.push = true
            $0.sourceDateEpoch = 1_700_000_000
            $0.attestations = AttestationOptions(provenance: .min)
        }
        let raw = try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(tag)"])
        let index = try JSONSerialization.jsonObject(with: Data(raw.utf8)) as! [String: Any]
        #expect(index["mediaType"] as? String == MediaType.ociIndex.rawValue)
        let entries = index["manifests"] as! [[String: Any]]
        try #require(entries.count == 2, "\(raw)")
        #expect(entries[0]["digest"] as? String == result.image.manifestDigest.description, "the image itself comes first")
        #expect((entries[0]["platform"] as? [String: String])?["architecture"] == "amd64")
        #expect(entries[1]["platform"] as? [String: String] == ["architecture": "unknown", "os": "unknown"])
        #expect(entries[1]["annotations"] as? [String: String] == ["vnd.docker.reference.digest": result.image.manifestDigest.description,
                                                                   "vnd.docker.reference.type": "attestation-manifest"])
        let attestation = try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false",
                                           "docker://\(tag.domain)/\(tag.path)@\(entries[1]["digest"] as! String)"])
        let manifest = try JSONSerialization.jsonObject(with: Data(attestation.utf8)) as! [String: Any]
        let layers = manifest["layers"] as! [[String: Any]]
        #expect(layers.map { $0["mediaType"] as? String } == ["application/vnd.in-toto+json"])
        #expect((layers[0]["annotations"] as? [String: String])?["in-toto.io/predicate-type"] == "https://slsa.dev/provenance/v1")
        #expect(result.digest == Digest.sha256(of: Array(raw.utf8)), "the build reports the index's digest, as buildx does")
        // Without attestations the same build is the image manifest alone, with the same digest inside.
        let plain = try BuildHarness(dockerfile: "FROM busybox:latest\nCOPY app.txt /app.txt\n", files: ["app.txt": "hello\n"])
        let without = try await plain.build {
            $0.outputs = [.ociArchive(dest: plain.root.path + "/x.tar")]
            $0.sourceDateEpoch = 1_700_000_000
        }
        #expect(without.index == nil && without.image.manifestDigest == result.image.manifestDigest)
    }

    @Test func provenanceAndSBOMPassTheirSchemasAndTheSPDXValidator() async throws {
        let h = try BuildHarness(dockerfile: "FROM busybox:latest AS tool\nRUN echo built > /tool\nFROM busybox:latest\nCOPY --from=tool /tool /tool\n")
        for mode in [AttestationOptions.ProvenanceMode.min, .max] {
            let archive = h.root.path + "/\(mode).tar"
            let result = try await h.build {
                $0.outputs = [.ociArchive(dest: archive)]
                $0.attestations = AttestationOptions(provenance: mode, sbom: true)
            }
            let read = try ArchiveStatements(archive)
            #expect(read.files.count == 2, "a provenance and an SBOM statement")
            let provenance = try #require(read.predicate("https://slsa.dev/provenance/v1", of: result.image.manifestDigest))
            let parameters = (provenance["buildDefinition"] as? [String: Any])?["internalParameters"] as? [String: Any]
            let stages = (parameters?["buildConfig"] as? [String: Any])?["stages"] as? [[String: Any]]
            if mode == .max {
                #expect(stages?.map { $0["name"] as? String } == ["tool", "stage-1"], "\(String(describing: parameters))")
                let run = (stages?.first?["steps"] as? [[String: Any]])?.first
                #expect((run?["createdBy"] as? String)?.contains("echo built") == true && run?["layer"] != nil, "the RUN and the layer it made")
            } else {
                #expect(stages == nil, "mode=min leaves the steps out")
            }
            try expectValid(read.files)
        }
    }

    @Test func sbomOfAnImageOnTheDebianFixtureListsEveryInstalledPackageWithItsVersionAndLayer() async throws {
        let fixtures = try Fixtures.shared()
        try Shell.check([Paths.testdata + "/builder/make-images.sh", fixtures.registry.host])
        let h = try BuildHarness(dockerfile: "FROM golang:1.7.3\nCOPY app.txt /app.txt\n", files: ["app.txt": "x\n"])
        let archive = h.root.path + "/debian.tar"
        let result = try await h.build {
            $0.outputs = [.ociArchive(dest: archive)]
            $0.attestations = AttestationOptions(sbom: true)
        }
        // The base's own status file, read back with skopeo and umoci, is the expectation.
        // Kept alive to the end of the test, so the unpacked image (840 MB) is removed with it.
        let unpacked = try TempDirectory("hoist-deb")
        let base = try UnpackedImage(skopeoSource: "docker://\(fixtures.registry.host)/library/golang:1.7.3", into: unpacked.path)
        let status = try #require(base.contents("/var/lib/dpkg/status"))
        var installed: [String: String] = [:]
        for stanza in status.components(separatedBy: "\n\n") where stanza.contains("\nStatus: install ok installed") {
            let fields = Dictionary(stanza.split(separator: "\n").compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":"), !line.hasPrefix(" ") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }) { first, _ in first }
            installed[fields["Package"]!] = fields["Version"]!
        }
        try #require(installed.count > 50, "a real Debian status file")
        let document = try #require(try ArchiveStatements(archive).predicate("https://spdx.dev/Document", of: result.image.manifestDigest))
        let packages = (document["packages"] as! [[String: Any]]).filter { ($0["sourceInfo"] as? String)?.hasSuffix("/var/lib/dpkg/status") == true }
        var listed: [String: String] = [:]
        for package in packages { listed[package["name"] as! String] = package["versionInfo"] as? String }
        #expect(listed == installed, "every installed package with its version, and nothing else")
        let baseLayer = try h.remoteLayers("library/golang:1.7.3").last!
        #expect(packages.allSatisfy { $0["comment"] as? String == "layer \(baseLayer)" }, "each from the base's layer")
        let purl = ((packages.first { $0["name"] as? String == "bash" }?["externalRefs"] as? [[String: Any]])?.first?["referenceLocator"] as? String)
        #expect(purl?.hasPrefix("pkg:deb/debian/bash@\(installed["bash"]!.replacingOccurrences(of: "+", with: "%2B"))?arch=amd64") == true, "\(purl ?? "none")")
        #expect(purl?.contains("distro=debian-12") == true)
    }

    @Test func aGoBinaryCopiedFromABuildStageAppearsWithItsModuleVersions() async throws {
        let fixtures = try Fixtures.shared()
        try Shell.check([Paths.testdata + "/builder/make-images.sh", fixtures.registry.host])
        let h = try BuildHarness(dockerfile: """
            FROM golang:1.7.3 AS build
            COPY src /src
            RUN cd /src && HOME=/tmp GOFLAGS=-mod=mod GOPROXY=off CGO_ENABLED=0 go build -o /app .
            FROM busybox:latest
            COPY --from=build /app /usr/local/bin/app

            """, files: [
                "src/go.mod": "module example.com/app\n\ngo 1.19\n\nrequire example.com/greet v1.2.3\n\nreplace example.com/greet => ./greet\n",
                "src/main.go": "package main\n\nimport \"example.com/greet\"\n\nfunc main() { println(greet.Hello()) }\n",
                "src/greet/go.mod": "module example.com/greet\n\ngo 1.19\n",
                "src/greet/greet.go": "package greet\n\nfunc Hello() string { return \"hello\" }\n",
            ])
        let archive = h.root.path + "/go.tar"
        let result = try await h.build {
            $0.outputs = [.ociArchive(dest: archive)]
            $0.attestations = AttestationOptions(sbom: true)
        }
        let read = try ArchiveStatements(archive)
        let document = try #require(read.predicate("https://spdx.dev/Document", of: result.image.manifestDigest))
        let fromApp = (document["packages"] as! [[String: Any]]).filter { $0["sourceInfo"] as? String == "acquired package info from /usr/local/bin/app" }
        let purls = Set(fromApp.compactMap { ($0["externalRefs"] as? [[String: Any]])?.first?["referenceLocator"] as? String })
        #expect(purls.contains("pkg:golang/example.com/greet@v1.2.3"), "\(purls)")
        #expect(purls.contains { $0.hasPrefix("pkg:golang/example.com/app@") } && purls.contains { $0.hasPrefix("pkg:golang/stdlib@1.19") }, "\(purls)")
        #expect(fromApp.allSatisfy { $0["comment"] as? String == "layer \(result.image.layers.last!.descriptor.digest)" }, "from the COPY's layer")
        try expectValid(read.files)
    }

    /// BUILDKIT_SBOM_SCAN_STAGE=NAME adds that stage's SBOM; npm and Python manifests are read where they are visible.
    @Test func aScannedStageGetsItsOwnSBOMWithItsNpmAndPythonPackages() async throws {
        let h = try BuildHarness(dockerfile: """
            FROM busybox:latest AS tool
            COPY node_modules /app/node_modules
            COPY site /usr/lib/python3/dist-packages
            FROM busybox:latest
            COPY --from=tool /app/node_modules/@acme/left-pad/package.json /left-pad.json

            """, files: [
                "node_modules/@acme/left-pad/package.json": #"{"name": "@acme/left-pad", "version": "1.3.0", "license": "WTFPL"}"#,
                "node_modules/@acme/left-pad/lib/package.json": #"{"name": "inner", "version": "0.0.1"}"#,
                "site/requests-2.31.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n\nbody\n",
            ])
        let archive = h.root.path + "/stages.tar"
        let result = try await h.build {
            $0.outputs = [.ociArchive(dest: archive)]
            $0.buildArgs = ["BUILDKIT_SBOM_SCAN_STAGE": "tool"]
            $0.attestations = AttestationOptions(sbom: true)
        }
        let read = try ArchiveStatements(archive)
        let documents = (read.statements[result.image.manifestDigest.description] ?? []).compactMap { $0["predicate"] as? [String: Any] }
        try #require(documents.count == 2, "the image's SBOM and the tool stage's")
        func purls(_ document: [String: Any]) -> Set<String> {
            Set((document["packages"] as! [[String: Any]]).compactMap { ($0["externalRefs"] as? [[String: Any]])?.first?["referenceLocator"] as? String })
        }
        #expect(purls(documents[0]).isEmpty, "a package.json outside node_modules is not a package: \(purls(documents[0]))")
        #expect((documents[1]["name"] as? String)?.hasSuffix("stage tool") == true)
        #expect(purls(documents[1]) == ["pkg:npm/%40acme/left-pad@1.3.0", "pkg:pypi/requests@2.31.0"], "\(purls(documents[1]))")
        let licenses = (documents[1]["packages"] as! [[String: Any]]).compactMap { $0["licenseDeclared"] as? String }
        #expect(licenses.contains("WTFPL") && licenses.contains { $0.hasPrefix("LicenseRef-Apache-2.0-") }, "an SPDX id as is, free text as a LicenseRef: \(licenses)")
        try expectValid(read.files)
    }

    @Test func secretsAndTokenNamedBuildArgsNeverAppearInTheProvenance() async throws {
        let secretValue = "s3cr3t-\(UInt32.random(in: 0...UInt32.max))"
        let tokenValue = "tok-\(UInt32.random(in: 0...UInt32.max))"
        let h = try BuildHarness(dockerfile: """
            FROM busybox:latest
            ARG API_TOKEN
            ARG GREETING
            RUN --mount=type=secret,id=deploy test -s /run/secrets/deploy && echo "$GREETING" > /greeting

            """, files: ["secret.txt": secretValue])
        let archive = h.root.path + "/s.tar"
        let result = try await h.build {
            $0.outputs = [.ociArchive(dest: archive)]
            $0.buildArgs = ["API_TOKEN": tokenValue, "GREETING": "hi"]
            $0.secrets = ["deploy": .file(h.context.path + "/secret.txt")]
            $0.attestations = AttestationOptions(provenance: .max)
        }
        let read = try ArchiveStatements(archive)
        let provenance = try #require(read.predicate("https://slsa.dev/provenance/v1", of: result.image.manifestDigest))
        let request = ((provenance["buildDefinition"] as? [String: Any])?["externalParameters"] as? [String: Any])?["request"] as? [String: Any]
        #expect((request?["args"] as? [String: String])?["build-arg:GREETING"] == "hi", "an ordinary build arg is recorded")
        #expect((request?["secrets"] as? [[String: String]]) == [["id": "deploy"]], "the secret's id, not its value")
        #expect((request?["args"] as? [String: String])?["build-arg:API_TOKEN"] == nil, "a build arg named like a token is left out")
        // The RUN's history in the image config names API_TOKEN's value, as BuildKit's does; the
        // provenance (mode=max lists that history) must not.
        let statements = try read.files.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        #expect(statements.contains("API_TOKEN=<redacted>"), "the RUN step is listed, its token redacted")
        #expect(!statements.contains(secretValue) && !statements.contains(tokenValue))
        #expect(!(try Shell.check(["tar", "-xOf", archive])).contains(secretValue), "the secret is in no blob at all")
        try expectValid(read.files)
    }

    /// A clean git checkout is named by its remote (credentials removed) and commit; a dirty one is not.
    @Test func aCleanGitCheckoutContextIsADependencyWithItsCommit() async throws {
        let h = try BuildHarness(dockerfile: "FROM busybox:latest\nCOPY app.txt /app.txt\n", files: ["app.txt": "git\n"])
        let git = ["git", "-C", h.context.path, "-c", "user.email=ci@example.com", "-c", "user.name=ci"]
        try Shell.check(git + ["init", "-q"])
        try Shell.check(git + ["remote", "add", "origin", "https://ci:tok3n@example.com/team/app.git"])
        try Shell.check(git + ["add", "-A"])
        try Shell.check(git + ["commit", "-q", "-m", "app"])
        let commit = try Shell.check(git + ["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        func context(_ name: String) async throws -> [String: Any]? {
            let archive = h.root.path + "/\(name).tar"
            let result = try await h.build {
                $0.outputs = [.ociArchive(dest: archive)]
                $0.attestations = AttestationOptions(provenance: .min)
            }
            let provenance = try ArchiveStatements(archive).predicate("https://slsa.dev/provenance/v1", of: result.image.manifestDigest)
            let dependencies = (provenance?["buildDefinition"] as? [String: Any])?["resolvedDependencies"] as? [[String: Any]] ?? []
            return dependencies.first { $0["name"] as? String == "context" }
        }
        let clean = try await context("clean")
        #expect(clean?["uri"] as? String == "https://example.com/team/app.git", "without the credentials: \(String(describing: clean))")
        #expect(clean?["digest"] as? [String: String] == ["gitCommit": commit])
        _ = try h.context.file("app.txt", "changed\n")
        #expect(try await context("dirty") == nil, "a checkout with changes is not named by its commit")
    }

    /// A provenance holds a random invocation ID, so no registry can have it: asking first (HEAD)
    /// would be a wasted request on every push. Its manifest's config lists its digest, so the same.
    @Test func aFreshProvenanceIsUploadedWithoutAskingTheRegistryFirst() async throws {
        let h = try BuildHarness(dockerfile: "FROM busybox:latest\nCOPY app.txt /app.txt\n", files: ["app.txt": "fresh \(UUID())\n"])
        let proxy = try FaultProxy(upstream: h.registry)
        let tag = try Reference(parsing: "\(proxy.host)/demo/fresh\(UInt32.random(in: 0...UInt32.max)):1")
        let result = try await h.build {
            $0.tags = [tag]
            $0.push = true
            $0.attestations = AttestationOptions(provenance: .min)
        }
        let index = try JSONSerialization.jsonObject(with: Data(try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(tag)"]).utf8)) as! [String: Any]
        let entry = try #require((index["manifests"] as! [[String: Any]]).first { ($0["annotations"] as? [String: String])?["vnd.docker.reference.type"] == "attestation-manifest" })
        let manifest = try JSONSerialization.jsonObject(with: Data(try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false",
                                                                                     "docker://\(tag.domain)/\(tag.path)@\(entry["digest"] as! String)"]).utf8)) as! [String: Any]
        let provenance = try #require((manifest["layers"] as? [[String: Any]])?.first?["digest"] as? String)
        let config = try #require((manifest["config"] as? [String: Any])?["digest"] as? String)
        let heads = proxy.log.filter { $0.hasPrefix("HEAD ") }
        #expect(!heads.contains { $0.contains(provenance) || $0.contains(config) }, "\(heads)")
        #expect(heads.contains { $0.contains(result.image.manifest.config.digest.description) }, "the image's own config is still asked for: \(heads)")
        #expect(proxy.log.contains { $0.hasPrefix("PUT ") && $0.contains(provenance) }, "\(proxy.log)")
    }

    @Test func sourceDateEpochMakesTheAttestedIndexReproducible() async throws {
        var digests: Set<Digest> = []
        for _ in 0..<3 {
            // Two images resolved at once: their order in the provenance must not depend on which answered first.
            let h = try BuildHarness(dockerfile: "FROM alpine:latest AS other\nFROM busybox:latest\nCOPY app.txt /app.txt\nCOPY --from=other /etc/alpine-release /r\n",
                                     files: ["app.txt": "same\n"])
            let result = try await h.build {
                $0.outputs = [.ociArchive(dest: h.root.path + "/r.tar")]
                $0.sourceDateEpoch = 1_700_000_000
                $0.attestations = AttestationOptions(provenance: .max, sbom: true)
            }
            digests.insert(result.digest)
        }
        #expect(digests.count == 1, "builds in different roots give one index digest: \(digests)")
    }

    @Test func asReferrersTheAttestationIsFoundThroughTheTagFallback() async throws {
        let h = try BuildHarness(dockerfile: "FROM busybox:latest\nCOPY app.txt /app.txt\n", files: ["app.txt": "ref\n"])
        let tag = try h.uniqueTag()
        var wanted = AttestationOptions(provenance: .min)
        wanted.asReferrers = true
        let result = try await h.build {
            $0.tags = [tag]
            $0.push = true
            $0.attestations = wanted
        }
        let raw = try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(tag)"])
        #expect((try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any])?["mediaType"] as? String == MediaType.ociManifest.rawValue,
                "the tag names the image itself")
        // Debian's docker-registry has no referrers API: the fallback tag sha256-<digest> lists the referrer.
        let fallback = "docker://\(tag.domain)/\(tag.path):sha256-\(result.image.manifestDigest.encoded)"
        let list = try JSONSerialization.jsonObject(with: Data(try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false", fallback]).utf8)) as! [String: Any]
        let referrer = try #require((list["manifests"] as? [[String: Any]])?.first)
        #expect(referrer["artifactType"] as? String == "application/vnd.docker.attestation.manifest.v1+json")
        let manifest = try JSONSerialization.jsonObject(with: Data(try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false",
                                                                                     "docker://\(tag.domain)/\(tag.path)@\(referrer["digest"] as! String)"]).utf8)) as! [String: Any]
        #expect((manifest["subject"] as? [String: Any])?["digest"] as? String == result.image.manifestDigest.description)
    }

    @Test func attestationFlagsParseAsBuildxReadsThem() throws {
        func parse(_ provenance: String?, _ sbom: String?, _ attest: [String] = [], defaults: Bool = true) throws -> String {
            let o = try AttestationOptions.parse(provenance: provenance, sbom: sbom, attest: attest, defaults: defaults)
            return "\(o.provenance.map(\.rawValue) ?? "none") sbom=\(o.sbom) asked=\(o.asked)"
        }
        #expect(try parse(nil, nil) == "min sbom=false asked=false", "buildx's default")
        #expect(try parse(nil, nil, defaults: false) == "none sbom=false asked=false")
        #expect(try parse("false", "true") == "none sbom=true asked=true")
        #expect(try parse("mode=max", nil, defaults: false) == "max sbom=false asked=true")
        #expect(try parse(nil, nil, ["type=provenance,mode=max", "type=sbom"]) == "max sbom=true asked=true")
        #expect(try parse(nil, nil, ["type=provenance,disabled=true"]) == "none sbom=false asked=true")
        for (flag, message) in [("mode=huge", "mode=huge: expected min or max"), ("maybe", "expected true, false or KEY=VALUE"),
                                ("version=v0.2", "Hoist writes SLSA provenance v1 only")] {
            #expect(throws: AttestationError.self) { try AttestationOptions.parse(provenance: flag, sbom: nil, attest: [], defaults: true) }
            do { _ = try AttestationOptions.parse(provenance: flag, sbom: nil, attest: [], defaults: true) } catch {
                #expect("\(error)".hasPrefix("--provenance=\(flag): ") && "\(error)".contains(message), "\(error)")
            }
        }
        do { _ = try AttestationOptions.parse(provenance: nil, sbom: nil, attest: ["type=vex"], defaults: true) } catch {
            #expect("\(error)" == "--attest type=vex: type=vex: expected provenance or sbom")
        }
    }
}

import Foundation
import HoistTestSupport
import Testing

/// `--provenance`, `--sbom`, `--attest` and `hoist inspect --format` from the command line, as buildx users type them.
@Suite struct AttestationCommandTests {
    /// buildx's default (provenance mode=min) applies unless BUILDX_NO_DEFAULT_ATTESTATIONS is true.
    @Test func provenanceIsOnByDefaultUnlessBuildxNoDefaultAttestations() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:latest\nCOPY app.txt /app.txt\n", files: ["app.txt": "a\n"])
        for (variable, attested) in [("", true), ("1", false), ("false", true)] {
            let tag = "\(h.fixtures.registry.host)/attest/default\(UInt32.random(in: 0...UInt32.max)):1"
            let result = try h.hoist(["assemble", "-q", "-t", tag, "--push", "."], environment: ["BUILDX_NO_DEFAULT_ATTESTATIONS": variable])
            try #require(result.status == 0, "\(result.stderr)")
            let raw = try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(tag)"])
            let mediaType = (try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any])?["mediaType"] as? String
            #expect(mediaType == (attested ? "application/vnd.oci.image.index.v1+json" : "application/vnd.oci.image.manifest.v1+json"),
                    "BUILDX_NO_DEFAULT_ATTESTATIONS=\(variable)")
            #expect(raw.contains("attestation-manifest") == attested)
        }
    }

    /// A build kept in the local store with buildx's default provenance is an index of the image
    /// and its attestation: `hoist push` moves it whole (the digest the build printed), `hoist save`
    /// writes the image alone, as a docker archive can hold.
    @Test func aKeptImageWithItsProvenanceIsPushedWholeAndSavedAlone() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:latest\nCOPY app.txt /app.txt\n", files: ["app.txt": "kept\n"])
        let defaults = ["BUILDX_NO_DEFAULT_ATTESTATIONS": ""]
        let built = try h.hoist(["assemble", "-q", "-t", "local/kept:1", "."], environment: defaults)
        try #require(built.status == 0, "\(built.stderr)")
        let digest = built.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let tag = "\(h.fixtures.registry.host)/attest/kept\(UInt32.random(in: 0...UInt32.max)):1"
        let pushed = try h.hoist(["push", "local/kept:1", tag], environment: defaults)
        try #require(pushed.status == 0, "\(pushed.stderr)")
        let raw = try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(tag)"])
        #expect("sha256:" + (try Shell.check(["sh", "-c", "printf %s \"$0\" | sha256sum | cut -d' ' -f1", raw])).trimmingCharacters(in: .whitespacesAndNewlines) == digest,
                "the index the build printed, with its attestation: \(raw)")
        #expect(raw.contains("attestation-manifest"))
        let saved = try h.hoist(["save", "-o", h.root.path + "/kept.tar", "local/kept:1"], environment: defaults)
        try #require(saved.status == 0, "\(saved.stderr)")
        let manifest = try Shell.check(["tar", "-xOf", h.root.path + "/kept.tar", "manifest.json"])
        #expect(manifest.contains("local/kept:1"), "\(manifest)")
    }

    /// What `docker buildx imagetools inspect --format '{{json .Provenance}}'` / `.SBOM` print, from Hoist.
    @Test func inspectFormatPrintsTheProvenanceAndTheSBOMOfAPushedImage() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:latest\nARG GREETING\nCOPY app.txt /app.txt\n", files: ["app.txt": "a\n"])
        let tag = "\(h.fixtures.registry.host)/attest/inspect\(UInt32.random(in: 0...UInt32.max)):1"
        let built = try h.hoist(["assemble", "-q", "--provenance=mode=max", "--sbom=true", "--build-arg", "GREETING=hey", "-t", tag, "--push", "."])
        try #require(built.status == 0, "\(built.stderr)")
        let provenance = try h.hoist(["inspect", "--format", "{{json .Provenance}}", tag])
        try #require(provenance.status == 0, "\(provenance.stderr)")
        let slsa = (try JSONSerialization.jsonObject(with: Data(provenance.stdout.utf8)) as? [String: Any])?["SLSA"] as? [String: Any]
        let request = ((slsa?["buildDefinition"] as? [String: Any])?["externalParameters"] as? [String: Any])?["request"] as? [String: Any]
        #expect((request?["args"] as? [String: String])?["build-arg:GREETING"] == "hey", "\(provenance.stdout)")
        let sbom = try h.hoist(["inspect", "--format", "{{json .SBOM}}", tag])
        try #require(sbom.status == 0, "\(sbom.stderr)")
        let spdx = (try JSONSerialization.jsonObject(with: Data(sbom.stdout.utf8)) as? [String: Any])?["SPDX"] as? [String: Any]
        #expect(spdx?["spdxVersion"] as? String == "SPDX-2.3", "\(sbom.stdout)")
        let plainTag = "\(h.fixtures.registry.host)/attest/plain\(UInt32.random(in: 0...UInt32.max)):1"
        try #require(try h.hoist(["assemble", "-q", "--provenance=false", "-t", plainTag, "--push", "."]).status == 0)
        let none = try h.hoist(["inspect", "--format", "{{json .Provenance}}", plainTag])
        expectOneLineError(none, ["has no attestations"])
        let bad = try h.hoist(["inspect", "--format", "{{json .Image}}", tag])
        #expect(bad.status == 64 && bad.stderr.contains("--format {{json.Image}}: expected '{{json .Provenance}}' or '{{json .SBOM}}'"), "\(bad.stderr)")
    }

    @Test func badAttestationFlagsAreRefusedAndDockerArchivesLeaveThemOutWithANote() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:latest\n")
        let bad = try h.build(["--provenance=mode=huge"])
        expectOneLineError(bad, ["--provenance=mode=huge: mode=huge: expected min or max"])
        let type = try h.build(["--attest", "type=vex"])
        expectOneLineError(type, ["--attest type=vex: type=vex: expected provenance or sbom"])
        let docker = try h.hoist(["assemble", "--progress=plain", "--provenance=true", "-o", "type=docker,dest=\(h.root.path)/d.tar", "."])
        #expect(docker.status == 0, "\(docker.stderr)")
        #expect(docker.stderr.contains("attestations are left out of type=docker"), "\(docker.stderr)")
        let schema2 = try h.hoist(["assemble", "--progress=plain", "--provenance=true", "--format", "docker", "-o", "type=oci,dest=\(h.root.path)/s.tar", "."])
        #expect(schema2.status == 0 && schema2.stderr.contains("attestations are left out: they need OCI media types"), "\(schema2.stderr)")
        let manifest = try Shell.check(["tar", "-xOf", h.root.path + "/d.tar", "manifest.json"])
        #expect(manifest.contains("RepoTags") || manifest.contains("Config"), "a plain docker archive: \(manifest)")
    }
}

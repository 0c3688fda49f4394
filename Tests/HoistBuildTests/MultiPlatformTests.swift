import Foundation
import HoistBuild
import HoistOCI
import HoistTestSupport
import Testing

@Suite struct MultiPlatformTests {
    /// ELF e_machine: 0x3E x86-64, 0xB7 AArch64.
    func machine(_ path: String) throws -> UInt16 {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)).prefix(20))
        return UInt16(bytes[18]) | UInt16(bytes[19]) << 8
    }

    @Test func twoPlatformsMakeAnIndexWhoseArm64EntryHoldsTheArm64Binary() async throws {
        let h = try BuildHarness(dockerfile: "FROM multiarch:latest\nARG TARGETARCH\nCOPY app.txt /app-$TARGETARCH.txt\n", files: ["app.txt": "both\n"])
        try #require(h.fixtures.hasMultiarch, "the arm64 busybox fixture is missing: run Testdata/fetch-arm64-busybox.sh")
        let tag = try h.uniqueTag()
        let out = try TempDirectory("hoist-multi")
        let result = try await h.build {
            $0.tags = [tag]
            $0.push = true
            $0.platforms = [try Platform(parsing: "linux/amd64"), try Platform(parsing: "linux/arm64")]
            $0.outputs = [.registry, .ociArchive(dest: out.path + "/multi.tar")]
        }
        let raw = try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(tag)"])
        let index = try JSONSerialization.jsonObject(with: Data(raw.utf8)) as! [String: Any]
        #expect(index["mediaType"] as? String == MediaType.ociIndex.rawValue)
        let platforms = (index["manifests"] as! [[String: Any]]).map { ($0["platform"] as! [String: Any])["architecture"] as! String }
        #expect(platforms == ["amd64", "arm64"])
        #expect(result.index?.digest.description == "sha256:" + (try Shell.check(["sh", "-c", "printf %s \"$0\" | sha256sum | cut -d' ' -f1", raw])).trimmingCharacters(in: .whitespacesAndNewlines))
        let validation = out.path + "/index.json"
        try raw.write(toFile: validation, atomically: true, encoding: .utf8)

        for (arch, expectedMachine) in [("amd64", UInt16(0x3E)), ("arm64", UInt16(0xB7))] {
            let dir = out.path + "/" + arch
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Shell.check(["skopeo", "copy", "-q", "--override-arch", arch, "--src-tls-verify=false", "docker://\(tag)", "oci:\(dir)/l:x"])
            try Shell.check(["umoci", "unpack", "--image", "\(dir)/l:x", dir + "/bundle"])
            #expect((try? String(contentsOfFile: dir + "/bundle/rootfs/app-\(arch).txt", encoding: .utf8)) == "both\n")
            #expect(try machine(dir + "/bundle/rootfs/bin/busybox") == expectedMachine, "\(arch)")
        }
        let archive = try Shell.check(["skopeo", "inspect", "--raw", "oci-archive:\(out.path)/multi.tar"])
        #expect(archive == raw, "the archive holds the same index")
        try expectImageSpecValid("image-index-schema.json", validation)
    }
}

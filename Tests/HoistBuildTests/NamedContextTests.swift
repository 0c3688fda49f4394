import Foundation
import HoistBuild
import HoistTestSupport
import Testing

@Suite struct NamedContextTests {
    @Test func anImageContextReplacesAFromName() async throws {
        let h = try BuildHarness(dockerfile: "FROM base\nLABEL x=y\n")
        let out = try TempDirectory("hoist-oci")
        let result = try await h.build {
            $0.namedContexts["base"] = try NamedContext(parsing: "docker-image://\(h.registry.host)/library/alpine:latest", name: "base")
            $0.outputs = [.ociArchive(dest: out.path + "/x.tar")]
        }
        #expect(result.image.layers.map(\.descriptor.digest.description) == (try h.remoteLayers("library/alpine:latest")))
    }

    @Test func aDirectoryContextReplacesAStageForCopyFrom() async throws {
        let h = try BuildHarness(dockerfile: "FROM does-not-exist:never AS deps\nCOPY a.txt /dep.txt\nFROM scratch\nCOPY --from=deps /dep.txt /x\n",
                                 files: ["a.txt": "from the stage\n"])
        let dir = try TempDirectory("hoist-named")
        _ = try dir.file("dep.txt", "from the directory\n")
        let tag = try h.uniqueTag()
        _ = try await h.build {
            $0.namedContexts["deps"] = try NamedContext(parsing: dir.path, name: "deps")
            $0.tags = [tag]
            $0.push = true
        }
        let out = try TempDirectory("hoist-readback")
        let image = try UnpackedImage(skopeoSource: "docker://\(tag)", into: out.path)
        #expect(image.contents("/x") == "from the directory\n", "the stage (whose base does not even exist) was never built")
    }

    @Test func anOCILayoutContextServesFromAndCopyFrom() async throws {
        let h = try BuildHarness(dockerfile: "FROM web\nCOPY --from=web /etc/nginx/nginx.conf /copy.conf\n")
        let layout = try TempDirectory("hoist-layout")
        try Shell.check(["skopeo", "copy", "-q", "--src-tls-verify=false", "docker://\(h.registry.host)/library/nginx:latest", "oci:\(layout.path):stable"])
        let tag = try h.uniqueTag()
        let result = try await h.build {
            $0.namedContexts["web"] = try NamedContext(parsing: "oci-layout://\(layout.path):stable", name: "web")
            $0.tags = [tag]
            $0.push = true
        }
        #expect(result.stats.downloaded.isEmpty, "nothing came from a registry")
        let out = try TempDirectory("hoist-readback")
        let image = try UnpackedImage(skopeoSource: "docker://\(tag)", into: out.path)
        #expect(image.contents("/copy.conf")?.hasPrefix("worker_processes") == true)
        #expect(image.contents("/etc/nginx/nginx.conf") == image.contents("/copy.conf"))
    }

    @Test func fromADirectoryContextIsRefused() async throws {
        let h = try BuildHarness(dockerfile: "FROM local\n")
        let dir = try TempDirectory("hoist-named")
        do {
            _ = try await h.build {
                $0.namedContexts["local"] = try NamedContext(parsing: dir.path, name: "local")
                $0.outputs = [.ociArchive(dest: dir.path + "/x.tar")]
            }
            Issue.record("built FROM a directory")
        } catch {
            #expect("\(error)".contains("Dockerfile:1:1: FROM local: the build context local is a local directory"), "\(error)")
        }
        #expect(throws: BuildError.self) { try NamedContext(parsing: "https://example.com/x.git", name: "x") }
        #expect(throws: BuildError.self) { try NamedContext(parsing: "oci-layout:///nonexistent", name: "x") }
    }
}

import Foundation
import HoistTestSupport
import Testing

@Suite struct LocalImageCommandTests {
    @Test func aBuildWithoutOutputIsKeptThenPushedSavedAndRemoved() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:latest\nCOPY app.txt /app.txt\n", files: ["app.txt": "kept\n"])
        let build = try h.hoist(["build", "-t", "local/app:1", "."])
        #expect(build.status == 0, "\(build.stderr)")
        let digest = build.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let images = try h.hoist(["images"])
        #expect(images.stdout.contains("docker.io/local/app:1\t\(digest)"), "\(images.stdout)")

        let target = "\(h.fixtures.registry.host)/kept/app:1"
        let push = try h.hoist(["push", "local/app:1", target])
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == digest)
        let inspect = try Shell.check(["skopeo", "inspect", "--tls-verify=false", "docker://\(target)"])
        #expect(inspect.contains(digest))

        let save = try h.hoist(["save", "local/app:1", "-o", h.root.path + "/app.tar"])
        #expect(save.status == 0, "\(save.stderr)")
        let config = try Shell.check(["skopeo", "inspect", "--config", "docker-archive:\(h.root.path)/app.tar"])
        #expect(config.contains("\"architecture\": \"amd64\""))
        let oci = try h.hoist(["save", "--format", "oci", "local/app:1", "-o", h.root.path + "/app-oci.tar"])
        #expect(oci.status == 0, "\(oci.stderr)")
        #expect(try Shell.check(["skopeo", "inspect", "oci-archive:\(h.root.path)/app-oci.tar"]).contains(digest))

        #expect(try h.hoist(["rmi", "local/app:1"]).status == 0)
        expectOneLineError(try h.hoist(["rmi", "local/app:1"]), ["docker.io/local/app:1 is not in the local store"])
        expectOneLineError(try h.hoist(["push", "local/app:1"]), ["not in the local store"])
    }
}

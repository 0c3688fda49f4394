import Foundation
import HoistTestSupport
import Testing

/// The registry configured the ways users meet it: HTTPS with a private CA and a password, and
/// Bearer tokens from a token service. Driven through the CLI, as a person would.
@Suite struct RegistryAuthCommandTests {
    @Test func loginThenBuildAndPushOverHTTPSWithBasicAuth() throws {
        let h = try CLIHarness(dockerfile: "", files: ["app.txt": "tls\n"])
        let registry = try TestRegistry(basicAuth: ("alice", "s3cret"))
        let certs = registry.certsDirectory + "/" + registry.host
        try Shell.check(["skopeo", "copy", "-q", "--src-tls-verify=false", "--dest-creds", "alice:s3cret", "--dest-cert-dir", certs,
                         "docker://\(h.fixtures.registry.host)/library/busybox:latest", "docker://\(registry.host)/library/busybox:latest"])
        let config = try TempDirectory("hoist-docker-config")
        let env = ["HOIST_CERTS_D": registry.certsDirectory, "DOCKER_CONFIG": config.path]

        let wrong = try Shell.run([Paths.hoist, "login", "-u", "alice", "--password-stdin", registry.host],
                                  environment: h.fixtures.environment(root: h.root.path).merging(env) { $1 }, stdin: "wrong\n")
        expectOneLineError(wrong, ["refused the credentials", registry.host])
        #expect(!FileManager.default.fileExists(atPath: config.path + "/config.json"), "nothing is saved for a failed login")

        let login = try Shell.run([Paths.hoist, "login", "-u", "alice", "--password-stdin", registry.host],
                                  environment: h.fixtures.environment(root: h.root.path).merging(env) { $1 }, stdin: "s3cret\n")
        #expect(login.status == 0, "\(login.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: config.path + "/config.json")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(!login.stdout.contains("s3cret") && !login.stderr.contains("s3cret"))

        _ = try h.context.file("Dockerfile", "FROM \(registry.host)/library/busybox:latest\nCOPY app.txt /app.txt\n")
        let tag = "\(registry.host)/team/app:1"
        let build = try h.hoist(["build", "-t", tag, "--push", "."], environment: env)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stderr.contains("mounted 1"), "the base layer is mounted, not uploaded: \(build.stderr)")
        let out = try TempDirectory("hoist-readback")
        try Shell.check(["skopeo", "copy", "-q", "--src-creds", "alice:s3cret", "--src-cert-dir", certs, "docker://\(tag)", "oci:\(out.path)/l:x"])
        try Shell.check(["umoci", "unpack", "--image", "\(out.path)/l:x", out.path + "/b"])
        #expect((try? String(contentsOfFile: out.path + "/b/rootfs/app.txt", encoding: .utf8)) == "tls\n")

        let logout = try h.hoist(["logout", registry.host], environment: env)
        #expect(logout.status == 0)
        expectOneLineError(try h.hoist(["logout", registry.host], environment: env), ["not logged in to \(registry.host)"])
        expectOneLineError(try h.hoist(["build", "-t", tag, "--push", "."], environment: env), ["Dockerfile:1:1", "no credentials for \(registry.host)"])
    }

    @Test func anUntrustedCertificateIsNamedWithWhatToDo() throws {
        let h = try CLIHarness(dockerfile: "", files: [:])
        let registry = try TestRegistry(basicAuth: ("alice", "s3cret"))
        _ = try h.context.file("Dockerfile", "FROM \(registry.host)/library/busybox:latest\n")
        expectOneLineError(try h.build(), ["Dockerfile:1:1", "certificate", "certs.d/\(registry.host)", "--insecure-registry"])
    }

    @Test func aMissingPushScopeIsAClearError() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:latest\nCOPY app.txt /app.txt\n", files: ["app.txt": "x\n"])
        let registry = try TestRegistry(tokenAuth: true)
        let result = try h.hoist(["build", "-t", "\(registry.host)/readonly/app:1", "--push", "."])
        expectOneLineError(result, ["\(registry.host)/readonly/app", "insufficient_scope", "repository:readonly/app:pull,push"])
    }
}

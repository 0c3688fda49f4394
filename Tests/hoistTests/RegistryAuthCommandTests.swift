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

@Suite struct CredentialSourceCommandTests {
    @Test func aCredentialHelperWinsOverAuthsAndCopyWorksOverHTTPS() throws {
        let h = try CLIHarness(dockerfile: "FROM scratch\n")
        let registry = try TestRegistry(basicAuth: ("alice", "s3cret"))
        let bin = try TempDirectory("hoist-helper")
        let helper = try bin.file("docker-credential-hoisttest", """
            #!/bin/sh
            [ "$1" = get ] || exit 1
            read server
            printf '{"ServerURL":"%s","Username":"alice","Secret":"s3cret"}' "$server"

            """)
        chmod(helper, 0o755)
        let config = try TempDirectory("hoist-docker-config")
        let wrong = "YWxpY2U6d3Jvbmc="  // alice:wrong, which the helper must override
        _ = try config.file("config.json", #"{"auths":{"\#(registry.host)":{"auth":"\#(wrong)"}},"credHelpers":{"\#(registry.host)":"hoisttest"}}"#)
        let env = ["HOIST_CERTS_D": registry.certsDirectory, "DOCKER_CONFIG": config.path,
                   "PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        let into = try h.hoist(["copy", "docker://\(h.fixtures.registry.host)/library/nginx:latest", "docker://\(registry.host)/team/nginx:1"], environment: env)
        #expect(into.status == 0, "\(into.stderr)")
        let out = try TempDirectory("hoist-copy-out")
        let back = try h.hoist(["copy", "docker://\(registry.host)/team/nginx:1", "oci:\(out.path)/layout:1"], environment: env)
        #expect(back.status == 0, "\(back.stderr)")
        #expect(back.stdout == into.stdout, "the same manifest digest both ways")
    }

    @Test func copyWithinATokenRegistryMountsWithBothScopes() throws {
        let h = try CLIHarness(dockerfile: "FROM scratch\n")
        let registry = try TestRegistry(tokenAuth: true)
        let first = try h.hoist(["copy", "docker://\(h.fixtures.registry.host)/library/nginx:latest", "docker://\(registry.host)/team/nginx:1"])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try h.hoist(["copy", "docker://\(registry.host)/team/nginx:1", "docker://\(registry.host)/other/nginx:1"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout == first.stdout)
        #expect(registry.issuerLog.contains { $0.contains("repository:other/nginx:pull,push") && $0.contains("repository:team/nginx:pull") })
        #expect(registry.accessLog(containing: "/v2/other/nginx/blobs/uploads/?mount=").count >= 2)
    }
}

@Suite struct IdentityTokenCommandTests {
    @Test func anIdentityTokenIsExchangedWithAnOAuth2RefreshGrant() throws {
        let h = try CLIHarness(dockerfile: "FROM scratch\n")
        let registry = try TestRegistry(tokenAuth: true)
        let config = try TempDirectory("hoist-docker-config")
        _ = try config.file("config.json", #"{"auths":{"\#(registry.host)":{"identitytoken":"hoist-identity-token"}}}"#)
        let result = try h.hoist(["copy", "docker://\(h.fixtures.registry.host)/library/busybox:latest", "docker://\(registry.host)/team/busybox:1"],
                                 environment: ["DOCKER_CONFIG": config.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(registry.issuerLog.contains { $0.hasPrefix("oauth2 ") && $0.contains("repository:team/busybox:pull,push") }, "\(registry.issuerLog)")

        _ = try config.file("config.json", #"{"auths":{"\#(registry.host)":{"identitytoken":"revoked"}}}"#)
        let refused = try h.hoist(["copy", "docker://\(h.fixtures.registry.host)/library/busybox:latest", "docker://\(registry.host)/team/busybox:2"],
                                  environment: ["DOCKER_CONFIG": config.path])
        expectOneLineError(refused, ["refused the credentials for \(registry.host)"])
        #expect(!refused.stderr.contains("revoked"), "secrets are never printed")
    }
}

@Suite struct ClientCertificateCommandTests {
    @Test func aClientCertificateFromCertsDIsPresented() throws {
        let h = try CLIHarness(dockerfile: "FROM scratch\n")
        let registry = try TestRegistry(basicAuth: ("alice", "s3cret"), clientCertificates: true)
        let hostDir = registry.certsDirectory + "/" + registry.host
        let env = ["HOIST_CERTS_D": registry.certsDirectory]
        let refused = try Shell.run([Paths.hoist, "login", "-u", "alice", "--password-stdin", registry.host],
                                    environment: h.fixtures.environment(root: h.root.path).merging(env) { $1 }, stdin: "s3cret\n")
        expectOneLineError(refused, ["registry \(registry.host) is unreachable"])
        try FileManager.default.copyItem(atPath: registry.clientCertificateFiles.certificate, toPath: hostDir + "/client.cert")
        try FileManager.default.copyItem(atPath: registry.clientCertificateFiles.key, toPath: hostDir + "/client.key")
        let config = try TempDirectory("hoist-docker-config")
        let accepted = try Shell.run([Paths.hoist, "login", "-u", "alice", "--password-stdin", registry.host],
                                     environment: h.fixtures.environment(root: h.root.path).merging(env) { $1 }.merging(["DOCKER_CONFIG": config.path]) { $1 },
                                     stdin: "s3cret\n")
        #expect(accepted.status == 0, "\(accepted.stderr)")
    }
}

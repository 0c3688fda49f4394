import Foundation
import HoistTestSupport
import Testing

@Suite struct AssembleCommandTests {
    @Test func pushPrintsTheManifestDigestOnTheLastLineOfStdout() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:latest\nCOPY app.txt /app.txt\n", files: ["app.txt": "cli\n"])
        let tag = "\(h.fixtures.registry.host)/cli/app\(UInt32.random(in: 0...UInt32.max)):1"
        let result = try h.hoist(["build", "-t", tag, "--push", "."])
        #expect(result.status == 0, "\(result.stderr)")
        let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let inspect = try Shell.check(["skopeo", "inspect", "--tls-verify=false", "docker://\(tag)"])
        let digest = (try JSONSerialization.jsonObject(with: Data(inspect.utf8)) as! [String: Any])["Digest"] as! String
        #expect(last == digest)
    }

    /// As a fully cached BuildKit build: nothing changed, same digest (`created` is when this image
    /// was first built), so a push of it is a no-op; any change gives a new one.
    @Test(arguments: ["COPY app.txt /app.txt", "RUN echo ran > /ran"])
    func aRebuildThatChangesNothingGivesTheSameDigest(_ instruction: String) throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:latest\n\(instruction)\nENV A=1\n", files: ["app.txt": "one\n"])
        func digest() throws -> String {
            let result = try h.hoist(["assemble", "-q", "-o", "type=oci,dest=\(h.root.path)/out.tar", "."])
            try #require(result.status == 0, "\(result.stderr)")
            return result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        }
        let first = try digest()
        Thread.sleep(forTimeInterval: 1.1)  // `created` has whole seconds: a new time would show
        #expect(try digest() == first)
        _ = try h.context.file("Dockerfile", "FROM busybox:latest\n\(instruction)\nENV A=2\n")
        #expect(try digest() != first)
    }

    @Test func registriesConfFlagOverridesTheEnvironment() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:latest\n")
        let bogus = try h.root.file("bogus.conf", "[[registry]]\nprefix = \"docker.io\"\nlocation = \"127.0.0.1:1\"\n")
        let failing = try h.build(environment: ["HOIST_REGISTRIES_CONF": bogus])
        expectOneLineError(failing, ["127.0.0.1:1", "unreachable", "Dockerfile:1:1"])
        let working = try h.build(["--registries-conf", h.fixtures.registriesConf], environment: ["HOIST_REGISTRIES_CONF": bogus])
        #expect(working.status == 0, "\(working.stderr)")
    }

    @Test func unknownInstructionNamesFileLineAndColumn() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:latest\n\n  FOO bar\n")
        expectOneLineError(try h.build(), ["Dockerfile:3:3", "unknown instruction \"FOO\""])
    }

    /// FROM, COPY --from and RUN --mount from= share one resolver, and so one did-you-mean message.
    @Test(arguments: [("FROM bulder", "FROM bulder"), ("FROM busybox:latest\nCOPY --from=bulder /bin/sh /sh", "--from=bulder"),
                      ("FROM busybox:latest\nRUN --mount=from=bulder,target=/m true", "--from=bulder")])
    func missingStageSuggestsTheClosestNameWhereverItIsUsed(lines: String, shown: String) throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:latest AS builder\n" + lines + "\n")
        let line = lines.contains("\n") ? "Dockerfile:3:1" : "Dockerfile:2:1"
        expectOneLineError(try h.build(), [line, shown, "no earlier stage is named \"bulder\"", "did you mean \"builder\"", "not found"])
        try expectStoreConsistent(h.root.path)
    }

    @Test func copySourceOutsideTheContextIsRefused() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:latest\nCOPY ../../etc/passwd /passwd\n")
        expectOneLineError(try h.build(), ["Dockerfile:2:1", "outside the build context"])
        let link = try CLIHarness(dockerfile: "FROM busybox:latest\nCOPY escape /passwd\n")
        symlink("/etc/passwd", link.context.path + "/escape")
        expectOneLineError(try link.build(), ["Dockerfile:2:1", "escape", "outside the build context"])
    }

    @Test func unreachableRegistryIsNamed() throws {
        let h = try CLIHarness(dockerfile: "FROM 127.0.0.1:1/library/busybox:latest\n")
        expectOneLineError(try h.build(), ["Dockerfile:1:1", "registry 127.0.0.1:1 is unreachable"])
    }

    @Test func missingTagNamesRegistryRepositoryAndTag() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:no-such-tag\n")
        expectOneLineError(try h.build(), ["Dockerfile:1:1", "\(h.fixtures.registry.host)/library/busybox:no-such-tag not found"])
        try expectStoreConsistent(h.root.path)
    }

    @Test func runWithSecurityInsecureIsRefusedWithItsLine() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:latest\nRUN --security=insecure echo hi\n")
        expectOneLineError(try h.build(), ["Dockerfile:2:1", "--security=insecure needs --allow security.insecure"])
    }

    @Test func pushWithoutATagIsRefused() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:latest\n")
        expectOneLineError(try h.hoist(["assemble", "--push", "."]), ["--push needs at least one -t"])
    }

    @Test func blobWhoseBytesDoNotMatchItsDigestIsRefusedAndNotStored() throws {
        let h = try CLIHarness(dockerfile: "FROM scratch\n")
        let registry = try TestRegistry()
        try registry.copy(["library/nginx:latest"], from: h.fixtures.registry)
        let inspect = try Shell.check(["skopeo", "inspect", "--tls-verify=false", "docker://\(registry.host)/library/nginx:latest"])
        let top = ((try JSONSerialization.jsonObject(with: Data(inspect.utf8)) as! [String: Any])["Layers"] as! [String])[1]
        let hex = String(top.dropFirst(7))
        // Flip one byte of the stored blob, keeping its size: the registry now serves wrong bytes.
        let data = registry.dataDirectory + "/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: data)))
        bytes[bytes.count / 2] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: data))

        _ = try h.context.file("Dockerfile", "FROM scratch\nCOPY --from=\(registry.host)/library/nginx:latest /etc/nginx/nginx.conf /n.conf\n")
        expectOneLineError(try h.build(), ["Dockerfile:2:1", "does not match its digest", hex, "nothing was stored"])
        #expect(!FileManager.default.fileExists(atPath: h.root.path + "/blobs/sha256/\(hex)"))
        try expectStoreConsistent(h.root.path)
    }
}

@Suite struct AssembleInputTests {
    @Test func dockerfileFromStandardInput() throws {
        let h = try CLIHarness(dockerfile: "FROM nothing-here\n", files: ["app.txt": "stdin\n"])
        let result = try Shell.run([Paths.hoist, "assemble", "-f", "-", "-o", "type=oci,dest=\(h.root.path)/o.tar", h.context.path],
                                   environment: h.fixtures.environment(root: h.root.path), stdin: "FROM busybox:latest\nCOPY app.txt /app.txt\n")
        #expect(result.status == 0, "\(result.stderr)")
        let inspect = try Shell.check(["skopeo", "inspect", "oci-archive:\(h.root.path)/o.tar"])
        #expect(((try JSONSerialization.jsonObject(with: Data(inspect.utf8)) as! [String: Any])["Layers"] as! [String]).count == 2)
    }

    @Test func warningsGoToStderrAndDoNotFailTheBuild() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox:latest AS Base\nMAINTAINER me\nARG USED\n")
        let result = try h.build(["--build-arg", "USED=1", "--build-arg", "TYPO=1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: Dockerfile:1: StageNameCasing") || result.stderr.contains("Dockerfile:1: StageNameCasing"))
        #expect(result.stderr.contains("MaintainerDeprecated"))
        #expect(result.stderr.contains("warning: one or more build-args [TYPO] were not consumed"))
    }

    @Test func imageOutputPushesByDigestOnlyAndNeedsPush() throws {
        let h = try CLIHarness(dockerfile: "FROM scratch\nCOPY f /f\n", files: ["f": "x\n"])
        let repo = "\(h.fixtures.registry.host)/bydigest/app\(UInt32.random(in: 0...UInt32.max))"
        let result = try h.hoist(["assemble", "-q", "-o", "type=image,name=\(repo),push=true,push-by-digest=true", "."])
        try #require(result.status == 0, "\(result.stderr)")
        let digest = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let raw = try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(repo)@\(digest)"])
        #expect(raw.contains("\"layers\""), "the manifest is there by digest")
        let tags = try Shell.run(["skopeo", "list-tags", "--tls-verify=false", "docker://\(repo)"])
        #expect(!tags.stdout.contains("latest"), "and under no tag: \(tags.stdout) \(tags.stderr)")
        expectOneLineError(try h.hoist(["assemble", "-o", "type=image,name=\(repo)", "."]), ["type=image needs push=true"])
    }
}


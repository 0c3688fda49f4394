import Foundation
import HoistBuild
import HoistOCI
import HoistTestSupport
import Testing

@Suite struct ConfigInstructionTests {
    static let dockerfile = """
        FROM busybox:latest AS base
        ONBUILD COPY app.txt /onbuild.txt
        ONBUILD LABEL triggered=yes
        FROM base
        ARG NAME=world
        SHELL ["/bin/sh", "-ec"]
        VOLUME /data
        STOPSIGNAL SIGINT
        HEALTHCHECK --interval=30s --retries=2 CMD wget -q localhost
        COPY <<EOF /etc/greeting
        hello $NAME
        EOF
        COPY --chmod=u+x,go=r app.txt /app.sh
        EXPOSE 8080/udp 9000
        MAINTAINER Jane
        CMD echo hi

        """

    @Test func configInstructionsAndOnbuildTriggersLandInTheImage() async throws {
        let h = try BuildHarness(dockerfile: Self.dockerfile, files: ["app.txt": "app\n"])
        let tag = try h.uniqueTag()
        _ = try await h.build { $0.tags = [tag]; $0.push = true }
        let out = try TempDirectory("hoist-readback")
        let image = try UnpackedImage(skopeoSource: "docker://\(tag)", into: out.path)
        let c = image.containerConfig
        #expect(image.contents("/onbuild.txt") == "app\n", "the base stage's ONBUILD COPY ran in the child")
        #expect((c["Labels"] as? [String: String])?["triggered"] == "yes")
        #expect(c["OnBuild"] == nil || (c["OnBuild"] as? [String])?.isEmpty == true, "triggers are not inherited further")
        #expect(image.contents("/etc/greeting") == "hello world\n")
        #expect(image.metadata("/app.sh")?.mode == 0o744)
        #expect(c["Cmd"] as? [String] == ["/bin/sh", "-ec", "echo hi"])
        #expect(c["Shell"] as? [String] == ["/bin/sh", "-ec"])
        #expect((c["Volumes"] as? [String: Any])?.keys.sorted() == ["/data"])
        #expect(c["StopSignal"] as? String == "SIGINT")
        #expect(Set((c["ExposedPorts"] as? [String: Any])?.keys.map { $0 } ?? []) == ["8080/udp", "9000/tcp"])
        let health = try #require(c["Healthcheck"] as? [String: Any])
        #expect(health["Test"] as? [String] == ["CMD-SHELL", "wget -q localhost"])
        #expect((health["Interval"] as? NSNumber)?.int64Value == 30_000_000_000 && (health["Retries"] as? NSNumber)?.intValue == 2)
        #expect(image.config["author"] as? String == "Jane")
        try expectImageSpecValid("config-schema.json", image.configPath)
    }

    @Test func theBaseStageKeepsItsTriggersForOthers() async throws {
        let h = try BuildHarness(dockerfile: Self.dockerfile, files: ["app.txt": "app\n"])
        let tag = try h.uniqueTag()
        _ = try await h.build { $0.tags = [tag]; $0.push = true; $0.target = "base" }
        let config = try Shell.check(["skopeo", "inspect", "--raw", "--config", "--tls-verify=false", "docker://\(tag)"])
        let onBuild = ((try JSONSerialization.jsonObject(with: Data(config.utf8)) as! [String: Any])["config"] as! [String: Any])["OnBuild"] as? [String]
        #expect(onBuild == ["COPY app.txt /onbuild.txt", "LABEL triggered=yes"])
    }
}

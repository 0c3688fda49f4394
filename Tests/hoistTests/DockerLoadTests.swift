import Foundation
import HoistTestSupport
import Testing

/// `--output type=docker` is what `docker load` reads: checked with Debian's own dockerd, started
/// for this test with everything in a temp dir and no network, which loads the tarball and runs it.
@Suite struct DockerLoadTests {
    @Test func dockerLoadAcceptsTheDockerTarballAndRunsTheImage() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/sbin/dockerd"), "dockerd (Debian's docker.io) is installed by scripts/setup.sh")
        let h = try CLIHarness(dockerfile: """
            FROM busybox
            COPY app.txt /app.txt
            ENV GREETING=hello
            CMD ["cat", "/app.txt"]
            """, files: ["app.txt": "loaded by docker\n"])
        let tar = h.root.path + "/docker.tar"
        let built = try h.hoist(["assemble", "-q", "-t", "hoist.test/demo/app:1", "-o", "type=docker,dest=\(tar)", "."])
        try #require(built.status == 0, "\(built.stderr)")

        let daemon = try TempDirectory("hoist-dockerd")
        let host = try Shell.check([Paths.testdata + "/start-dockerd.sh", daemon.path, "\(getpid())"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let docker = { (args: [String]) throws -> ShellResult in try Shell.run(["/usr/bin/docker"] + args, environment: ["DOCKER_HOST": host]) }

        let load = try docker(["load", "-i", tar])
        #expect(load.status == 0, "\(load.stderr)")
        #expect(load.stdout.contains("Loaded image: hoist.test/demo/app:1"), "\(load.stdout)")
        let inspect = try docker(["image", "inspect", "--format", "{{json .Config.Cmd}} {{json .Config.Env}} {{.Id}}", "hoist.test/demo/app:1"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("[\"cat\",\"/app.txt\"]"))
        #expect(inspect.stdout.contains("GREETING=hello"))
        let run = try docker(["run", "--rm", "--network", "none", "hoist.test/demo/app:1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "loaded by docker\n")
    }
}

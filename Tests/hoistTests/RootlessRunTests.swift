import Foundation
import HoistTestSupport
import Testing

/// RUN started by a user who is not root: hoist enters a user namespace of its own where the
/// caller's uid is root, as `unshare -r` does, or says clearly why it cannot.
@Suite struct RootlessRunTests {
    static let nobody: UInt32 = 65534

    /// Runs hoist as `nobody` (uid and gid 65534, no other groups) with everything it touches
    /// (a copy of the binary, the context, HOIST_ROOT, registries.conf) owned by that user.
    private func hoistAsNobody(_ h: CLIHarness, _ arguments: [String], environment: [String: String] = [:]) throws -> ShellResult {
        let binary = h.root.path + "/bin/hoist"
        try FileManager.default.createDirectory(atPath: h.root.path + "/bin", withIntermediateDirectories: true)
        // Copied by cp, not in this process: a file this process holds open for writing while another
        // test forks would be "text file busy" to exec.
        if !FileManager.default.fileExists(atPath: binary) { try Shell.check(["cp", Paths.hoist, binary]) }
        let conf = h.root.path + "/registries.conf"
        if !FileManager.default.fileExists(atPath: conf) {
            try FileManager.default.copyItem(atPath: h.fixtures.environment(root: "")["HOIST_REGISTRIES_CONF"]!, toPath: conf)
        }
        try Shell.check(["chown", "-R", "\(Self.nobody):\(Self.nobody)", h.root.path, h.context.path])
        let env = ["HOIST_ROOT": h.root.path + "/state", "HOIST_REGISTRIES_CONF": conf, "HOME": h.root.path,
                   "BUILDX_NO_DEFAULT_ATTESTATIONS": "1"].merging(environment) { $1 }
        return try Shell.run(["setpriv", "--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups", binary] + arguments,
                             environment: env, directory: h.context.path)
    }

    /// Whether this kernel lets an unprivileged user make a user namespace at all.
    private var kernelAllowsUserNamespaces: Bool {
        (try? Shell.run(["setpriv", "--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups",
                         "unshare", "--user", "--map-root-user", "true"]).status) == 0
    }

    @Test func withoutRootRunSeesTheCallerAsRootAndLayersKeepTheBaseOwners() throws {
        let h = try CLIHarness(dockerfile: """
            FROM busybox AS owned
            COPY --chown=1234:5678 f /owned
            FROM owned
            RUN id -u > /uid && echo more >> /owned && rm /bin/ls && mkdir /made && chmod 4755 /made && echo x > /made/file
            """, files: ["f": "base\n"])
        let archive = h.root.path + "/out.tar"
        let result = try hoistAsNobody(h, ["assemble", "-q", "-o", "type=oci,dest=\(archive)", "."])
        guard kernelAllowsUserNamespaces else {
            expectOneLineError(result, ["RUN without root needs a user namespace", "the kernel refused one"])
            return
        }
        try #require(result.status == 0, "\(result.stderr)")
        // Hoist really ran as nobody: what it stored on the host belongs to nobody.
        var st = stat()
        #expect(stat(h.root.path + "/state/blobs", &st) == 0 && st.st_uid == Self.nobody)
        let layer = try Shell.check([Paths.python, "-c", """
            import json, sys, tarfile
            outer = tarfile.open(sys.argv[1])
            index = json.load(outer.extractfile("index.json"))
            manifest = json.load(outer.extractfile("blobs/sha256/" + index["manifests"][0]["digest"][7:]))
            layer = tarfile.open(fileobj=outer.extractfile("blobs/sha256/" + manifest["layers"][-1]["digest"][7:]))
            for m in layer:
                body = layer.extractfile(m).read().decode().replace("\\n", "|") if m.isfile() else ""
                print(f"{m.name} {m.mode:o} {m.uid}:{m.gid} {body}".strip())
            """, archive])
        let lines = Set(layer.split(separator: "\n").map(String.init))
        #expect(lines.contains("uid 644 0:0 0|"), "the command ran as root in its namespace: \(layer)")
        #expect(lines.contains("owned 644 1234:5678 base|more|"), "a base file the command changed keeps its owner: \(layer)")
        #expect(lines.contains("bin/.wh.ls 644 0:0"), "a deleted base file is a whiteout: \(layer)")
        #expect(lines.contains("made 4755 0:0"), "\(layer)")
        #expect(lines.contains("made/file 644 0:0 x|"), "\(layer)")
        #expect(!layer.contains("hoist.owner") && !layer.contains("overlay"), "no attribute of Hoist's own reaches the layer: \(layer)")
    }

    @Test func withoutRootAndWithoutSubordinateIDsAnotherUserIsRefusedWithHowToAddThem() throws {
        try #require(kernelAllowsUserNamespaces, "this kernel refuses unprivileged user namespaces")
        let subuid = (try? String(contentsOfFile: "/etc/subuid", encoding: .utf8)) ?? ""
        try #require(!subuid.split(separator: "\n").contains { $0.hasPrefix("nobody:") || $0.hasPrefix("65534:") },
                     "this machine gives nobody subordinate ids")
        let h = try CLIHarness(dockerfile: "FROM busybox\nUSER 1000\nRUN true\n")
        let result = try hoistAsNobody(h, ["assemble", "-q", "-o", "type=oci,dest=\(h.root.path)/out.tar", "."])
        expectOneLineError(result, ["Dockerfile:3:1", "USER 1000 is uid 1000", "no subordinate ids are configured for nobody in /etc/subuid",
                                    "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 nobody", "run hoist as root"])
    }

    @Test func withoutRootAndWithoutANamespaceRunSaysWhatItNeeds() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox\nRUN true\n")
        let result = try hoistAsNobody(h, ["assemble", "-q", "-o", "type=oci,dest=\(h.root.path)/out.tar", "."],
                                       environment: ["HOIST_USERNS": "0"])
        expectOneLineError(result, ["RUN needs root or a user namespace", "HOIST_USERNS"])
    }
}

import Foundation
import HoistTestSupport
import Testing

/// RUN in the sandbox, driven through `hoist assemble` as a person would, results read back from
/// `--output type=local` (the merged root filesystem) or from the registry with skopeo.
@Suite struct RunCommandTests {
    private func rootfs(_ h: CLIHarness, _ extra: [String] = [], environment: [String: String] = [:],
                        expectLog: String? = nil, forbidLog: String? = nil) throws -> String {
        let dest = h.root.path + "/rootfs"
        let result = try h.hoist(["assemble", "-o", "type=local,dest=\(dest)"] + extra + ["."], environment: environment)
        try #require(result.status == 0, "\(result.stderr)")
        if let expectLog { #expect(result.stderr.contains(expectLog), "\(result.stderr)") }
        if let forbidLog { #expect(!result.stderr.contains(forbidLog), "\(result.stderr)") }
        return dest
    }

    @Test func builderPatternBuildsAGoProgramThatRunsInsideTheFinalImage() throws {
        let fixtures = try Fixtures.shared()
        try Shell.check([Paths.testdata + "/builder/make-images.sh", fixtures.registry.host])
        let h = try CLIHarness(dockerfile: try String(contentsOfFile: Paths.testdata + "/builder/Dockerfile", encoding: .utf8),
                               files: ["app.go": try String(contentsOfFile: Paths.testdata + "/builder/app.go", encoding: .utf8)])
        let dest = try rootfs(h)
        #expect(FileManager.default.contents(atPath: dest + "/etc/ssl/certs/marker") == Data("ca\n".utf8))
        // The app is the final image's: run it with the image as its root.
        let run = try Shell.run(["chroot", dest, "/root/app"], stdin: "<a href=\"/in\">x</a><a href=\"https://out\">y</a>")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "{\"internal\":1,\"external\":1}\n")
        // The builder's toolchain stayed in the builder: the final image is the small base plus the app.
        #expect(!FileManager.default.fileExists(atPath: dest + "/usr/lib/go"))
    }

    /// Hoist's state on an overlayfs (as inside a container): an overlayfs upper directory there is
    /// refused, so the layers are copied, and the build says so and still gives the right files.
    @Test func whereOverlayfsIsRefusedTheLayersAreCopiedInstead() throws {
        let h = try CLIHarness(dockerfile: "FROM whiteout\nRUN echo made > /made && rm /etc/wh/b\n")
        let outer = h.root.path + "/outer"
        for dir in ["lower", "upper", "work", "merged"] {
            try FileManager.default.createDirectory(atPath: outer + "/" + dir, withIntermediateDirectories: true)
        }
        try Shell.check(["mount", "-t", "overlay", "overlay", "-o",
                         "lowerdir=\(outer)/lower,upperdir=\(outer)/upper,workdir=\(outer)/work", outer + "/merged"])
        defer { _ = try? Shell.run(["umount", "-l", outer + "/merged"]) }
        let dest = h.root.path + "/rootfs"
        let result = try h.hoist(["assemble", "-o", "type=local,dest=\(dest)", "."], environment: ["HOIST_ROOT": outer + "/merged/state"])
        try #require(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("line 2: root filesystem copied from the layers (overlayfs refused: "), "\(result.stderr)")
        #expect(FileManager.default.contents(atPath: dest + "/made") == Data("made\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: dest + "/etc/wh/b"), "deleted by the RUN")
        // The base's own whiteout and opaque directory were applied while copying its layers.
        #expect(!FileManager.default.fileExists(atPath: dest + "/etc/wh/a"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dest + "/opt/opq") == ["z"])
    }

    @Test func failingCommandStopsTheBuildWithItsExitCodeLineAndLastOutput() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox\nRUN echo first line && echo the last words && exit 3\nCOPY never /never\n")
        let result = try h.build()
        #expect(result.status == 1)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1, "\(result.stderr)")
        #expect(errors.first?.contains("Dockerfile:2:1") == true, "\(result.stderr)")
        #expect(errors.first?.contains("exit code: 3") == true, "\(result.stderr)")
        #expect(result.stderr.contains("| the last words"), "\(result.stderr)")
        try expectStoreConsistent(h.root.path)
    }

    /// Both ways to give a RUN its root filesystem: overlayfs, and copying the layers where
    /// overlayfs cannot be mounted (forced here with HOIST_ROOTFS=copy).
    @Test(arguments: ["overlay", "copy"])
    func runCreatesChangesAndDeletesFilesAsLayers(_ rootfsKind: String) throws {
        let h = try CLIHarness(dockerfile: """
            FROM whiteout
            RUN echo made > /made.txt && rm /etc/wh/b && rm -r /opt/opq && mkdir /opt/opq && echo new > /opt/opq/only
            RUN ln -s /made.txt /link && ln /made.txt /hard && chown 1000:1001 /hard && chmod 4711 /made.txt
            USER app
            RUN echo "$(id -u):$(id -g)" > /tmp/who && echo "$HOME" >> /tmp/who
            """)
        let archive = h.root.path + "/image.tar"
        let dest = try rootfs(h, ["-o", "type=oci,dest=\(archive)"], environment: ["HOIST_ROOTFS": rootfsKind],
                              expectLog: rootfsKind == "copy" ? "line 2: root filesystem copied from the layers" : "line 2: RUN took",
                              forbidLog: rootfsKind == "copy" ? nil : "root filesystem copied")
        #expect(FileManager.default.contents(atPath: dest + "/made.txt") == Data("made\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: dest + "/etc/wh/b"), "deleted by a whiteout")
        #expect(!FileManager.default.fileExists(atPath: dest + "/etc/wh/a"))
        let opq = try FileManager.default.contentsOfDirectory(atPath: dest + "/opt/opq")
        #expect(opq == ["only"], "a replaced directory is opaque: \(opq)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dest + "/link") == "/made.txt")
        var a = stat(), b = stat()
        stat(dest + "/made.txt", &a)
        stat(dest + "/hard", &b)
        #expect(a.st_mode & 0o7777 == 0o4711)
        // In the second RUN's layer, /hard is a hard link to /made.txt, not a second copy.
        let listing = try Shell.check([Paths.python, "-c", """
            import json, sys, tarfile
            outer = tarfile.open(sys.argv[1])
            index = json.load(outer.extractfile("index.json"))
            manifest = json.load(outer.extractfile("blobs/sha256/" + index["manifests"][0]["digest"][7:]))
            layer = tarfile.open(fileobj=outer.extractfile("blobs/sha256/" + manifest["layers"][-2]["digest"][7:]))
            print(" ".join(f"{m.name}>{m.linkname}" for m in layer if m.islnk()))
            """, archive])
        #expect(listing.contains("made.txt>hard") || listing.contains("hard>made.txt"), "\(listing)")
        #expect(b.st_uid == 1000 && b.st_gid == 1001)
        #expect(FileManager.default.contents(atPath: dest + "/tmp/who") == Data("1000:1001\n/home/app\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: dest + "/etc/hosts"), "files the sandbox provided are not in the image")
    }

    @Test func aFileTheRunChangesKeepsItsCapabilityFromTheBase() throws {
        let h = try CLIHarness(dockerfile: """
            FROM busybox AS base
            COPY capped /capped
            FROM base
            RUN chmod 750 /capped
            """, files: ["capped": "#!/bin/sh\n"])
        // cap_net_bind_service=ep, as setcap writes it.
        try Shell.check([Paths.python, "-c", "import os, sys; os.setxattr(sys.argv[1], 'security.capability', bytes.fromhex('0100000200040000000000000000000000000000'))",
                         h.context.path + "/capped"])
        let archive = h.root.path + "/image.tar"
        _ = try rootfs(h, ["-o", "type=oci,dest=\(archive)"])
        let found = try Shell.check([Paths.python, "-c", """
            import json, sys, tarfile
            outer = tarfile.open(sys.argv[1])
            index = json.load(outer.extractfile("index.json"))
            manifest = json.load(outer.extractfile("blobs/sha256/" + index["manifests"][0]["digest"][7:]))
            layer = tarfile.open(fileobj=outer.extractfile("blobs/sha256/" + manifest["layers"][-1]["digest"][7:]))
            m = layer.getmember("capped")
            print(oct(m.mode), m.pax_headers.get("SCHILY.xattr.security.capability", "").encode("utf-8", "surrogateescape").hex())
            """, archive])
        #expect(found.trimmingCharacters(in: .whitespacesAndNewlines) == "0o750 0100000200040000000000000000000000000000")
    }

    @Test func runCannotSeeOrChangeHostFilesOutsideItsRoot() throws {
        let marker = "/tmp/hoist-host-marker-\(UInt32.random(in: 0...UInt32.max))"
        FileManager.default.createFile(atPath: marker, contents: Data("host\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let written = "/hoist-sandbox-wrote-\(UInt32.random(in: 0...UInt32.max))"
        let h = try CLIHarness(dockerfile: """
            FROM busybox
            RUN busybox ls /tmp > /tmpfiles; echo x > \(written); busybox ls / > /rootfiles
            """)
        let dest = try rootfs(h)
        let tmp = String(decoding: FileManager.default.contents(atPath: dest + "/tmpfiles") ?? Data(), as: UTF8.self)
        #expect(!tmp.contains("hoist-host-marker"), "the host's /tmp is visible: \(tmp)")
        let root = String(decoding: FileManager.default.contents(atPath: dest + "/rootfiles") ?? Data(), as: UTF8.self)
        #expect(!root.contains("work") && !root.contains("opt\n"), "the host's / is visible: \(root)")
        #expect(!FileManager.default.fileExists(atPath: written), "the command wrote to the host's root")
        #expect(FileManager.default.fileExists(atPath: dest + written), "the write went into the image")
    }

    @Test func runCannotSeeHostProcesses() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox\nRUN busybox ls /proc | busybox grep -c '^[0-9]' > /pids\n")
        let dest = try rootfs(h)
        let pids = String(decoding: FileManager.default.contents(atPath: dest + "/pids") ?? Data(), as: UTF8.self)
        #expect((Int(pids.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 99) <= 4, "only the command's own processes: \(pids)")
    }

    @Test func networkNoneLeavesOnlyLoopback() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox\nRUN --network=none cat /proc/net/dev > /netdev\n")
        let dest = try rootfs(h)
        let netdev = String(decoding: FileManager.default.contents(atPath: dest + "/netdev") ?? Data(), as: UTF8.self)
        let interfaces = netdev.split(separator: "\n").dropFirst(2).map { $0.split(separator: ":")[0].trimmingCharacters(in: .whitespaces) }
        #expect(interfaces == ["lo"], "--network=none has only loopback: \(interfaces)")
    }

    @Test func anEtcFileThatIsASymlinkIsLeftAloneNotMountedOver() throws {
        // Many images link /etc/resolv.conf into /run; the link may dangle at build time.
        let h = try CLIHarness(dockerfile: """
            FROM busybox
            COPY etc/ /etc/
            RUN echo still runs > /ran
            """)
        try FileManager.default.createDirectory(atPath: h.context.path + "/etc", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: h.context.path + "/etc/resolv.conf", withDestinationPath: "../run/systemd/resolve/stub-resolv.conf")
        let dest = try rootfs(h)
        #expect(FileManager.default.contents(atPath: dest + "/ran") == Data("still runs\n".utf8))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dest + "/etc/resolv.conf") == "../run/systemd/resolve/stub-resolv.conf")
    }

    @Test func runForAForeignPlatformWithoutEmulationIsRefusedClearly() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox\nRUN true\n")
        guard !FileManager.default.fileExists(atPath: "/proc/sys/fs/binfmt_misc/qemu-aarch64") else { return }
        let result = try h.build(["--platform", "linux/arm64"])
        expectOneLineError(result, ["Dockerfile:2:1", "RUN for linux/arm64", "binfmt_misc"])
    }

    @Test func secretsReachTheCommandButNeverALayerTheHistoryOrTheLog() throws {
        let secret = "hoist-secret-\(UInt32.random(in: 0...UInt32.max))"
        let h = try CLIHarness(dockerfile: """
            FROM busybox
            RUN --mount=type=secret,id=token busybox wc -c < /run/secrets/token > /length && busybox cat /run/secrets/token | busybox tr a-z A-Z | busybox wc -c >> /length
            RUN --mount=type=secret,id=token,env=TOKEN printf %s "$TOKEN" | busybox md5sum > /env-hash
            """)
        let archive = h.root.path + "/image.tar"
        let result = try h.hoist(["assemble", "-o", "type=oci,dest=\(archive)", "--secret", "id=token,env=HOIST_TEST_SECRET", "."],
                                 environment: ["HOIST_TEST_SECRET": secret])
        try #require(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains(secret), "the secret is in the build log")
        // Every blob of the image, decompressed, searched for the secret.
        let found = try Shell.run(["sh", "-c", "cd '\(h.root.path)' && mkdir -p x && tar -xf image.tar -C x && for f in x/blobs/sha256/*; do (zcat -f \"$f\" | grep -c '\(secret)') ; done | grep -v '^0$' || true"])
        #expect(found.stdout.isEmpty, "the secret is in a blob")
        // ...yet the command saw it: as a file and as the variable.
        let seen = try Shell.check(["sh", "-c", "cd '\(h.root.path)' && for f in x/blobs/sha256/*; do zcat -f \"$f\" | tar -xOf - length env-hash 2>/dev/null; done; true"])
        let expected = try Shell.check(["sh", "-c", "printf %s '\(secret)' | md5sum"])
        #expect(seen.contains("\(secret.count)\n\(secret.count)\n"), "\(seen)")
        #expect(seen.contains(expected.prefix(32)), "\(seen)")
    }

    @Test func cacheMountsKeepTheirContentsFromOneBuildToTheNext() throws {
        let h = try CLIHarness(dockerfile: """
            FROM busybox
            ARG RUN_ID
            RUN --mount=type=cache,target=/cache,id=counter echo "$RUN_ID" >> /cache/runs && busybox cp /cache/runs /runs
            """)
        _ = try rootfs(h, ["--build-arg", "RUN_ID=first"])
        let dest = try rootfs(h, ["--build-arg", "RUN_ID=second"])
        #expect(FileManager.default.contents(atPath: dest + "/runs") == Data("first\nsecond\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: dest + "/cache"), "the mount's target is not left in the image")
    }

    @Test func anIdenticalRunIsReusedAndChangedInputsOrNoCacheRunItAgain() throws {
        let h = try CLIHarness(dockerfile: """
            FROM busybox
            RUN --mount=type=secret,id=token cat /proc/sys/kernel/random/uuid > /first
            RUN --mount=type=bind,source=input,target=/in cat /proc/sys/kernel/random/uuid /in > /second
            """, files: ["input": "one\n"])
        let secret = h.root.path + "/token"
        func build(_ token: String, _ extra: [String] = []) throws -> (first: Data?, second: Data?, log: String) {
            try Data(token.utf8).write(to: URL(fileURLWithPath: secret))
            let dest = h.root.path + "/rootfs"
            try? FileManager.default.removeItem(atPath: dest)
            let result = try h.hoist(["assemble", "--secret", "id=token,src=\(secret)", "-o", "type=local,dest=\(dest)"] + extra + ["."])
            try #require(result.status == 0, "\(result.stderr)")
            return (FileManager.default.contents(atPath: dest + "/first"), FileManager.default.contents(atPath: dest + "/second"), result.stderr)
        }
        let cold = try build("a")
        #expect(!cold.log.contains("RUN CACHED"))
        // Same inputs (a secret's value is not one, as in BuildKit): both layers come from the cache.
        let warm = try build("b")
        #expect(warm.log.contains("line 2: RUN CACHED") && warm.log.contains("line 3: RUN CACHED"), "\(warm.log)")
        #expect(warm.first == cold.first && warm.second == cold.second)
        // A bind-mounted context file changed: that RUN runs again, the one before it does not.
        _ = try h.context.file("input", "two\n")
        let changed = try build("b")
        #expect(changed.log.contains("line 2: RUN CACHED") && changed.log.contains("line 3: RUN not cached: mount /in changed"), "\(changed.log)")
        #expect(changed.first == cold.first && changed.second != cold.second)
        #expect(changed.second.map { String(decoding: $0, as: UTF8.self).hasSuffix("two\n") } == true)
        // --no-cache runs everything again.
        let forced = try build("b", ["--no-cache"])
        #expect(!forced.log.contains("RUN CACHED") && forced.log.contains("RUN not cached: --no-cache"), "\(forced.log)")
        #expect(forced.first != cold.first)
    }

    @Test func pruneKeepsWhatARunningBuildUsesAndRemovesTheRestAfterwards() throws {
        let h = try CLIHarness(dockerfile: """
            FROM busybox
            RUN --mount=type=cache,target=/c touch /c/started && sleep 3 && echo done > /done
            """)
        let environment = h.fixtures.environment(root: h.root.path).merging(["HOIST": Paths.hoist]) { $1 }
        // The build runs in the background; prune runs while its RUN sleeps with the snapshot mounted.
        let script = """
            "$HOIST" assemble -o type=local,dest="$HOIST_ROOT/out" . > "$HOIST_ROOT/build.log" 2>&1 &
            build=$!
            for i in $(seq 1 300); do ls "$HOIST_ROOT"/cache/*/started >/dev/null 2>&1 && break; sleep 0.05; done
            "$HOIST" prune
            wait $build; echo "build exit $?"
            "$HOIST" prune
            """
        let result = try Shell.run(["sh", "-c", script], environment: environment, directory: h.context.path)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "\(result.stdout)\(result.stderr)")
        #expect(lines[0].hasPrefix("removed 0 snapshot(s), 0 cached RUN result(s), 0 cache mount(s)") && lines[0].hasSuffix("kept 2 in use by a running build"),
                "the base's snapshot and the cache mount were in use: \(lines[0])")
        #expect(lines[1] == "build exit 0", "\(lines[1]): \((try? String(contentsOfFile: h.root.path + "/build.log", encoding: .utf8)) ?? "")")
        #expect(FileManager.default.contents(atPath: h.root.path + "/out/done") == Data("done\n".utf8))
        // Afterwards: the base's snapshot and the RUN layer's, the RUN result and the cache go.
        #expect(lines[2].hasPrefix("removed 2 snapshot(s), 1 cached RUN result(s), 1 cache mount(s)") && lines[2].hasSuffix("kept 0 in use by a running build"),
                "\(lines[2])")
        let left = try FileManager.default.contentsOfDirectory(atPath: h.root.path + "/snapshots").filter { !$0.hasSuffix(".lock") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func runKeepsOnlyTheDefaultCapabilitiesAndNoUserNamespacesUnlessInsecureIsAllowed() throws {
        let h = try CLIHarness(dockerfile: """
            FROM busybox
            RUN grep CapBnd /proc/self/status > /default && (mount -t tmpfs none /mnt 2>/dev/null && echo mounted || echo refused) >> /default \
                && (busybox unshare -U true 2>/dev/null && echo userns || echo no-userns) >> /default
            RUN --security=insecure grep CapBnd /proc/self/status > /insecure && (busybox unshare -U true && echo userns || echo no-userns) >> /insecure
            """)
        let dest = try rootfs(h, ["--allow", "security.insecure"])
        // runc's default set, as BuildKit gives RUN: no CAP_SYS_ADMIN, so no mounts from inside; and
        // the seccomp filter refuses the user namespace that would give every capability back.
        #expect(FileManager.default.contents(atPath: dest + "/default") == Data("CapBnd:\t00000000a80425fb\nrefused\nno-userns\n".utf8))
        let host = try Shell.check(["sh", "-c", "grep CapBnd /proc/self/status"])
        #expect(FileManager.default.contents(atPath: dest + "/insecure").map { String(decoding: $0, as: UTF8.self) } == host + "userns\n")
    }

    @Test func sshAgentSocketIsForwarded() throws {
        let work = try TempDirectory("hoist-ssh")
        let socket = work.path + "/agent.sock"
        try Shell.check([Paths.python, "-c", "import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])", socket])
        let h = try CLIHarness(dockerfile: "FROM busybox\nRUN --mount=type=ssh test -S \"$SSH_AUTH_SOCK\" && echo \"$SSH_AUTH_SOCK\" > /agent\n")
        let dest = try rootfs(h, ["--ssh", "default=\(socket)"])
        #expect(FileManager.default.contents(atPath: dest + "/agent") == Data("/run/buildkit/ssh_agent.0\n".utf8))
    }

    @Test func interruptKillsTheSandboxAndLeavesNoMountAndAConsistentStore() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox\nRUN echo started && busybox sleep 300\n")
        let marker = h.root.path + "/out"
        // hoist in the background; SIGINT once the command has started.
        let script = """
            '\(Paths.hoist)' assemble -o type=oci,dest='\(marker).tar' . > '\(marker).log' 2>&1 &
            pid=$!
            for i in $(seq 1 100); do grep -q '| started' '\(marker).log' && break; sleep 0.1; done
            kill -INT $pid; wait $pid; echo "status=$?"
            """
        let result = try Shell.run(["bash", "-c", script], environment: h.fixtures.environment(root: h.root.path), directory: h.context.path)
        #expect(result.stdout.contains("status=130"), "\(result.stdout) \(result.stderr)")
        let sleeping = try Shell.run(["pgrep", "-f", "busybox sleep 300"])
        #expect(sleeping.stdout.isEmpty, "the sandboxed command survived: \(sleeping.stdout)")
        let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        #expect(!mounts.contains(h.root.path), "a mount under the store survived")
        try expectStoreConsistentBlobs(h.root.path)
    }
}

/// Every blob in the store hashes to its own name (temp files of an interrupted build may remain).
private func expectStoreConsistentBlobs(_ root: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let blobs = root + "/blobs/sha256"
    for name in (try? FileManager.default.contentsOfDirectory(atPath: blobs)) ?? [] {
        let sum = try Shell.check(["sha256sum", blobs + "/" + name])
        #expect(sum.hasPrefix(name + " "), "blob \(name) is corrupt", sourceLocation: sourceLocation)
    }
}

/// The build-level flags every RUN gets: `--add-host`, `--network`, `--ulimit`, `--shm-size`.
@Suite struct RunDefaultsCommandTests {
    @Test func buildFlagsReachEveryRun() throws {
        let h = try CLIHarness(dockerfile: """
            FROM busybox
            RUN cat /etc/hosts > /hosts && ulimit -n > /nofile && df -k /dev/shm | tail -1 > /shm && ip link 2>/dev/null | grep -c '^[0-9]' > /links || true
            """)
        let dest = h.root.path + "/rootfs"
        let result = try h.hoist(["assemble", "-o", "type=local,dest=\(dest)", "--add-host", "db.internal:10.1.2.3", "--add-host", "v6host=::1",
                                  "--network=none", "--ulimit", "nofile=321:654", "--shm-size", "96m", "."])
        try #require(result.status == 0, "\(result.stderr)")
        let hosts = try String(contentsOfFile: dest + "/hosts", encoding: .utf8)
        #expect(hosts.contains("10.1.2.3\tdb.internal\n") && hosts.contains("::1\tv6host\n"), "\(hosts)")
        #expect(try String(contentsOfFile: dest + "/nofile", encoding: .utf8) == "321\n")
        let shm = try String(contentsOfFile: dest + "/shm", encoding: .utf8).split(separator: " ", omittingEmptySubsequences: true)
        #expect(shm.count > 1 && shm[1] == "98304", "96m of /dev/shm in KiB: \(shm)")
        #expect(try String(contentsOfFile: dest + "/links", encoding: .utf8) == "1\n", "--network=none: only loopback")
        // Another --add-host is another step: the cached result is not reused.
        let again = try h.hoist(["assemble", "-o", "type=local,dest=\(dest)2", "--add-host", "db.internal:10.9.9.9", "--network=none",
                                 "--ulimit", "nofile=321:654", "--shm-size", "96m", "."])
        try #require(again.status == 0, "\(again.stderr)")
        #expect(try String(contentsOfFile: dest + "2/hosts", encoding: .utf8).contains("10.9.9.9\tdb.internal"))
    }

    @Test func badBuildFlagValuesSayWhatIsWrong() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox\nRUN true\n")
        expectOneLineError(try h.build(["--add-host", "nohost"]), ["--add-host nohost: expected HOST:IP"])
        expectOneLineError(try h.build(["--add-host", "db:300.1.1.1"]), ["--add-host db:300.1.1.1", "is not an IP address"])
        expectOneLineError(try h.build(["--network", "bridge"]), ["--network bridge: expected default, none or host"])
        expectOneLineError(try h.build(["--ulimit", "files=10"]), ["--ulimit files=10", "nofile"])
        expectOneLineError(try h.build(["--ulimit", "nofile=20:10"]), ["--ulimit nofile=20:10", "above the hard limit"])
        expectOneLineError(try h.build(["--shm-size", "lots"]), ["--shm-size lots", "64m"])
        expectOneLineError(try h.build([], environment: ["HOIST_JOBS": "zero"]), ["HOIST_JOBS=zero", "positive number"])
    }
}

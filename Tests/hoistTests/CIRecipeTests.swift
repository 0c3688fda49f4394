import Foundation
import HoistTestSupport
import Testing

/// docs/ci.md's recipes, run as written: the page's YAML blocks are read, and every step that calls
/// `hoist` runs with the same environment variables against loopback registries.
@Suite struct CIRecipeTests {
    /// A step of the GitHub workflow: its job, name, script and step-level environment.
    struct Step: Decodable {
        var job: String
        var name: String
        var run: String
        var env: [String: String]
    }

    /// What docs/ci.md's two YAML blocks hold: the workflow's steps and the Job's container.
    struct Recipes: Decodable {
        var steps: [Step]
        var matrix: [[String: String]]
        var jobCommand: [String]
        var jobArgs: [String]
        var jobEnv: [String: String]
        var jobUser: Int
    }

    static func recipes() throws -> Recipes {
        let json = try Shell.check(["python3", "-c", """
            import json, re, sys, yaml
            text = open(sys.argv[1]).read()
            blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\\n(.*?)```", text, re.S)]
            workflow, job = blocks[0], blocks[1]
            steps = []
            for name, spec in workflow["jobs"].items():
                for step in spec["steps"]:
                    if "run" in step:
                        steps.append({"job": name, "name": step.get("name", ""), "run": step["run"],
                                      "env": {k: str(v) for k, v in (step.get("env") or {}).items()}})
            container = job["spec"]["template"]["spec"]["containers"][0]
            print(json.dumps({"steps": steps,
                              "matrix": [{k: str(v) for k, v in m.items()} for m in workflow["jobs"]["build"]["strategy"]["matrix"]["include"]],
                              "jobCommand": container["command"], "jobArgs": container["args"],
                              "jobEnv": {e["name"]: e["value"] for e in container["env"]},
                              "jobUser": job["spec"]["template"]["spec"]["securityContext"]["runAsUser"]}))
            """, Paths.packageRoot + "/docs/ci.md"])
        return try JSONDecoder().decode(Recipes.self, from: Data(json.utf8))
    }

    /// Whether a script runs the `hoist` command (not merely names a path ending in hoist).
    static func callsHoist(_ script: String) -> Bool {
        script.range(of: #"(^|[\s|;&(])hoist\s"#, options: .regularExpression) != nil
    }

    @Test func githubMatrixBuildsEachPlatformByDigestAndStitchesOneIndex() throws {
        let recipes = try Self.recipes()
        let registry = try TestRegistry(basicAuth: (user: "ci", password: "s3cret"))
        let work = try TempDirectory("hoist-ci")
        let bin = work.path + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try Shell.check(["ln", "-s", Paths.hoist, bin + "/hoist"])
        let checkout = work.path + "/checkout"
        try FileManager.default.createDirectory(atPath: checkout, withIntermediateDirectories: true)
        try "FROM scratch\nCOPY app /app\n".write(toFile: checkout + "/Dockerfile", atomically: true, encoding: .utf8)
        try "app\n".write(toFile: checkout + "/app", atomically: true, encoding: .utf8)
        let base = [
            "IMAGE": "\(registry.host)/team/app", "CACHE": "\(registry.host)/team/app-cache",
            "REGISTRY_USER": "ci", "REGISTRY_PASSWORD": "s3cret", "HOIST_CERTS_D": registry.certsDirectory,
            "PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
        ]
        /// Runs `job`'s hoist steps as one machine (its own HOME and HOIST_ROOT); returns their stderr.
        func runJob(_ job: String, _ extra: [String: String], machine: String) throws -> String {
            var env = base.merging(extra) { $1 }
            env["HOME"] = work.path + "/home-" + machine
            env["HOIST_ROOT"] = work.path + "/root-" + machine
            var stderr = ""
            for step in recipes.steps where step.job == job && Self.callsHoist(step.run) {
                let result = try Shell.run(["bash", "-e", "-c", step.run], environment: env, directory: checkout)
                #expect(result.status == 0, "\(job) / \(step.name): \(result.stderr)")
                stderr += result.stderr
            }
            return stderr
        }
        #expect(recipes.matrix.count == 2)
        for entry in recipes.matrix {
            let log = try runJob("build", ["PLATFORM": entry["platform"]!, "ARCH": entry["arch"]!], machine: entry["arch"]!)
            #expect(log.contains("not cached"), "the first build of a platform runs its steps")
        }
        _ = try runJob("stitch", [:], machine: "stitch")
        let indexDigest = try String(contentsOfFile: checkout + "/index-digest", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let raw = try Shell.check(["skopeo", "inspect", "--raw", "--creds", "ci:s3cret", "--cert-dir", registry.certsDirectory + "/" + registry.host,
                                   "docker://\(registry.host)/team/app:latest"])
        let index = try JSONSerialization.jsonObject(with: Data(raw.utf8)) as! [String: Any]
        // Each platform's build carried buildx's default provenance: the stitched index lists the
        // images and, after them, an attestation manifest for each, as buildx's matrix gives.
        let entries = index["manifests"] as! [[String: Any]]
        let attestations = entries.filter { ($0["annotations"] as? [String: String])?["vnd.docker.reference.type"] == "attestation-manifest" }
        let images = entries.filter { ($0["annotations"] as? [String: String])?["vnd.docker.reference.type"] == nil }
        #expect(images.map { ($0["platform"] as! [String: Any])["architecture"] as! String }.sorted() == ["amd64", "arm64"])
        #expect(Set(attestations.compactMap { ($0["annotations"] as? [String: String])?["vnd.docker.reference.digest"] })
            == Set(images.map { $0["digest"] as! String }), "one attestation per platform image")
        #expect(indexDigest.hasPrefix("sha256:"))
        // No tag but latest: the platform images went by digest only.
        let tags = try Shell.check(["skopeo", "list-tags", "--creds", "ci:s3cret", "--cert-dir", registry.certsDirectory + "/" + registry.host,
                                    "docker://\(registry.host)/team/app"])
        #expect(tags.contains("\"latest\"") && !tags.contains("amd64"))
        // A later run on a new runner starts from the registry cache.
        let again = try runJob("build", ["PLATFORM": "linux/amd64", "ARCH": "amd64"], machine: "amd64-again")
        #expect(again.contains("COPY CACHED"), "\(again)")
    }

    @Test func kubernetesJobBuildsAsAnOrdinaryUserAndRunsAsAnotherUserOfTheImage() throws {
        let recipes = try Self.recipes()
        let fixtures = try Fixtures.shared()
        let user = "hoist-ci"
        let ids = try? Shell.check(["id", "-u", user])
        try #require(ids != nil && (try? String(contentsOfFile: "/etc/subuid", encoding: .utf8))?.contains(user + ":") == true,
                     "the \(user) user with subordinate ids is missing: scripts/setup.sh makes it")
        let uid = ids!.trimmingCharacters(in: .whitespacesAndNewlines)
        let gid = try Shell.check(["id", "-g", user]).trimmingCharacters(in: .whitespacesAndNewlines)
        let registry = try TestRegistry()
        let work = try TempDirectory("hoist-job")
        let workspace = work.path + "/workspace"
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        try """
            FROM busybox:latest
            RUN mkdir /out && chown 1234:1234 /out
            USER 1234:1234
            RUN id -u > /out/uid && id -g >> /out/uid
            """.write(toFile: workspace + "/Dockerfile", atomically: true, encoding: .utf8)
        try Shell.check(["cp", Paths.hoist, work.path + "/hoist"])
        try Shell.check(["cp", fixtures.registriesConf, work.path + "/registries.conf"])
        try Shell.check(["chown", "-R", "\(uid):\(gid)", work.path])
        var env = recipes.jobEnv
        env["IMAGE"] = "\(registry.host)/team/app"
        env["CACHE"] = "\(registry.host)/team/app-cache"
        env["HOIST_ROOT"] = work.path + "/hoist-root"
        env["DOCKER_CONFIG"] = work.path + "/docker-config"
        env["HOIST_REGISTRIES_CONF"] = work.path + "/registries.conf"
        env["HOME"] = work.path
        env["PATH"] = work.path + ":/usr/sbin:/usr/bin:/sbin:/bin"
        // The pod runs as runAsUser; here that is the user with subordinate ids.
        #expect(recipes.jobUser != 0)
        let result = try Shell.run(["setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups"] + recipes.jobCommand + recipes.jobArgs,
                                   environment: env, directory: workspace)
        try #require(result.status == 0, "\(result.stderr)")
        let metadata = try JSONSerialization.jsonObject(with: Data(result.stdout.split(separator: "\n").drop { !$0.hasPrefix("{") }
            .joined(separator: "\n").utf8)) as? [String: Any]
        #expect((metadata?["containerimage.digest"] as? String)?.hasPrefix("sha256:") == true, "\(result.stdout)")
        let out = try TempDirectory("hoist-job-out")
        let image = try UnpackedImage(skopeoSource: "docker://\(registry.host)/team/app:main", into: out.path)
        #expect(image.contents("/out/uid") == "1234\n1234\n", "the RUN ran as the image's user 1234")
    }
}

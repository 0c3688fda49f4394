import Foundation
import HoistTestSupport
import Testing

/// A build killed with SIGKILL, at any point, leaves nothing a later build could trust wrongly:
/// the rebuild in the same root gives a clean build's digest, every blob in the store hashes to its
/// name, and every snapshot under its final name holds the whole layer.
@Suite struct CrashRecoveryTests {
    /// Each snapshot under its final name, as a listing of its entries (path, type, size, mode,
    /// owner), by snapshot name: two unpackings of one layer must list the same.
    private func snapshots(_ root: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for directory in (try FileManager.default.contentsOfDirectory(atPath: root)).filter({ $0.hasPrefix("snapshots") }) {
            let parent = root + "/" + directory
            for name in try FileManager.default.contentsOfDirectory(atPath: parent) where name.hasPrefix("sha256-") && !name.hasSuffix(".lock") {
                result[directory + "/" + name] = try Shell.check(["bash", "-c", "cd \"$1\" && find . -printf '%P %y %s %m %U %G\\n' | LC_ALL=C sort | sha256sum", "-", parent + "/" + name])
            }
        }
        return result
    }

    @Test func aColdRunBuildKilledAtRandomPointsRebuildsToTheCleanDigest() throws {
        let fixtures = try Fixtures.shared()
        // Debian with golang-go: a 190 MB layer, so the kills land while it downloads and unpacks too.
        try Shell.check([Paths.testdata + "/builder/make-images.sh", fixtures.registry.host])
        let dockerfile = "FROM golang:1.7.3\nRUN echo built > /built && ls /usr/lib > /lib.txt\n"
        func assemble(_ h: CLIHarness) throws -> ShellResult {
            try h.hoist(["assemble", "--source-date-epoch", "1700000000", "-o", "type=oci,dest=\(h.root.path)/out.tar", "."])
        }

        let clean = try CLIHarness(dockerfile: dockerfile)
        let started = Date()
        let reference = try assemble(clean)
        let seconds = Date().timeIntervalSince(started)
        try #require(reference.status == 0, "\(reference.stderr)")
        let digest = reference.stdout.split(separator: "\n").last.map(String.init)
        let cleanSnapshots = try snapshots(clean.root.path)

        // Spread over the whole build (resolve, download, unpack, RUN, layer), each point jittered.
        for fraction in [0.1, 0.3, 0.55, 0.85] {
            let delay = seconds * fraction * Double.random(in: 0.8...1.2)
            let h = try CLIHarness(dockerfile: dockerfile)
            let script = """
                '\(Paths.hoist)' assemble --source-date-epoch 1700000000 -o type=oci,dest='\(h.root.path)/killed.tar' . > /dev/null 2>&1 &
                pid=$!
                sleep \(String(format: "%.3f", delay))
                kill -9 $pid; wait $pid; echo "status=$?"
                """
            let killed = try Shell.run(["bash", "-c", script], environment: fixtures.environment(root: h.root.path), directory: h.context.path)
            let rebuilt = try assemble(h)
            try #require(rebuilt.status == 0, "killed after \(delay) s (\(killed.stdout)): \(rebuilt.stderr)")
            #expect(rebuilt.stdout.split(separator: "\n").last.map(String.init) == digest, "killed after \(delay) s")
            let blobs = h.root.path + "/blobs/sha256"
            for name in try FileManager.default.contentsOfDirectory(atPath: blobs) {
                #expect(try Shell.check(["sha256sum", blobs + "/" + name]).hasPrefix(name + " "), "killed after \(delay) s: blob \(name) is corrupt")
            }
            for (name, listing) in try snapshots(h.root.path) {
                if let expected = cleanSnapshots[name] {
                    #expect(listing == expected, "killed after \(delay) s: snapshot \(name) differs from a clean unpacking")
                }
            }
            let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
            #expect(!mounts.contains(h.root.path), "killed after \(delay) s: a mount under the store survived")
        }
    }
}

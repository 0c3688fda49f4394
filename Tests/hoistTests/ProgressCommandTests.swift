import Foundation
import HoistTestSupport
import Testing

/// `--progress` as buildx shows it: plain for CI logs, rawjson for tools, a live view on a
/// terminal, nothing with quiet; BUILDKIT_PROGRESS gives the default.
@Suite struct ProgressCommandTests {
    static let dockerfile = """
        FROM busybox AS tool
        RUN echo built-the-tool && echo tool > /tool
        FROM busybox
        COPY --from=tool /tool /tool
        RUN echo second-line
        """

    /// `#N [stage i/n] INSTRUCTION`, output as `#N 0.123 LINE`, `#N DONE 0.1s`, and `#N CACHED` on a rebuild.
    @Test func plainShowsBuildxVerticesAndCachedOnARebuild() throws {
        let h = try CLIHarness(dockerfile: Self.dockerfile)
        let first = try h.build(["--progress=plain"])
        try #require(first.status == 0, "\(first.stderr)")
        let lines = first.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func number(of name: String) -> String? {
            lines.first { $0.hasPrefix("#") && $0.hasSuffix(" " + name) }.map { String($0.prefix { $0 != " " }) }
        }
        #expect(number(of: "[internal] load build definition from Dockerfile") == "#1", "\(first.stderr)")
        let run = try #require(number(of: "[tool 2/2] RUN echo built-the-tool && echo tool > /tool"), "\(first.stderr)")
        #expect(lines.contains { $0.hasPrefix(run + " ") && $0.range(of: #"^#\d+ \d+\.\d{3} built-the-tool$"#, options: .regularExpression) != nil },
                "the command's output under its step: \(first.stderr)")
        #expect(lines.contains { $0.range(of: "^\(run) DONE \\d+\\.\\ds$", options: .regularExpression) != nil }, "\(first.stderr)")
        #expect(number(of: "[stage-1 1/3] FROM busybox") != nil, "\(first.stderr)")
        #expect(number(of: "[stage-1 2/3] COPY --from=tool /tool /tool") != nil, "\(first.stderr)")
        #expect(number(of: "exporting to image") != nil, "\(first.stderr)")

        let second = try h.build(["--progress=plain"])
        try #require(second.status == 0, "\(second.stderr)")
        let again = second.stderr.split(separator: "\n").map(String.init)
        let cachedRun = try #require(again.first { $0.hasSuffix(" [stage-1 3/3] RUN echo second-line") }.map { String($0.prefix { $0 != " " }) })
        #expect(again.contains(cachedRun + " CACHED"), "\(second.stderr)")
        #expect(second.stderr.range(of: #"\n#\d+ \d+\.\d{3} second-line\n"#, options: .regularExpression) == nil, "a cached RUN prints no output")
    }

    /// Every line is a JSON object of BuildKit's SolveStatus shape; vertices start and complete
    /// (cached on a rebuild), logs carry the output in base64, statuses the transfers' bytes.
    @Test func rawjsonIsOneSolveStatusPerLine() throws {
        let h = try CLIHarness(dockerfile: Self.dockerfile)
        for pass in 1...2 {
            let result = try h.build([], environment: ["BUILDKIT_PROGRESS": "rawjson"])
            try #require(result.status == 0, "\(result.stderr)")
            var started: Set<String> = [], completed: Set<String> = [], cached: Set<String> = [], names: [String: String] = [:]
            var output = "", transfers = 0
            for line in result.stderr.split(separator: "\n") {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
                #expect(object.count == 1, "one change per line: \(line)")
                for vertex in object["vertexes"] as? [[String: Any]] ?? [] {
                    let digest = try #require(vertex["digest"] as? String)
                    #expect(digest.range(of: "^sha256:[0-9a-f]{64}$", options: .regularExpression) != nil)
                    names[digest] = vertex["name"] as? String
                    if vertex["started"] is String { started.insert(digest) }
                    if vertex["completed"] is String { completed.insert(digest) }
                    if vertex["cached"] as? Bool == true { cached.insert(digest) }
                }
                for log in object["logs"] as? [[String: Any]] ?? [] {
                    #expect(started.contains(log["vertex"] as? String ?? ""), "a log belongs to a started vertex")
                    output += String(decoding: Data(base64Encoded: log["data"] as? String ?? "") ?? Data(), as: UTF8.self)
                }
                for status in object["statuses"] as? [[String: Any]] ?? [] where status["total"] != nil {
                    #expect((status["current"] as? Int ?? -1) >= 0 && (status["total"] as? Int ?? -1) >= 0, "\(status)")
                    transfers += 1
                }
            }
            #expect(!started.isEmpty && started == completed, "every vertex completes: \(names)")
            let runs = names.filter { $0.value.contains("RUN echo") }.map(\.key)
            #expect(runs.count == 2, "\(names)")
            if pass == 1 {
                #expect(output.contains("built-the-tool\n") && output.contains("second-line\n"), "\(output)")
                #expect(transfers > 0, "the base's blobs are reported as statuses")
            } else {
                #expect(Set(runs).isSubset(of: cached), "both RUNs are cached on the rebuild")
            }
        }
    }

    /// The live view in a pseudo-terminal (`script`): redrawn in place, ends with every step
    /// folded and FINISHED, and gives the cursor back.
    @Test func ttyRedrawsInPlaceAndLeavesASummary() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox\nRUN echo one && sleep 1 && echo two\n")
        let environment = h.fixtures.environment(root: h.root.path).merging(["COLUMNS": "100", "LINES": "30"]) { $1 }
        let command = "stty cols 100 rows 30; \(Paths.hoist) assemble --progress=tty -o type=oci,dest=\(h.root.path)/out.tar ."
        let result = try Shell.run(["script", "-qefc", command, "/dev/null"], environment: environment, directory: h.context.path)
        try #require(result.status == 0, "\(result.stdout)\(result.stderr)")
        let screen = result.stdout
        #expect(screen.contains("\u{1B}[?25l"), "the cursor is hidden while drawing")
        #expect(screen.contains("\u{1B}[1A") || screen.range(of: "\u{1B}\\[\\d+A", options: .regularExpression) != nil, "lines are redrawn in place")
        #expect(screen.range(of: #"\[\+\] Building \d+\.\ds \(\d+/\d+\) FINISHED"#, options: .regularExpression) != nil, "\(screen)")
        #expect(screen.contains(" => [2/2] RUN echo one && sleep 1 && echo two"), "\(screen)")
        let finalDrawing = screen.components(separatedBy: "FINISHED").last ?? ""
        #expect(!finalDrawing.contains("=> => #"), "finished steps fold: no output under them in the summary")
        #expect(screen.range(of: "\u{1B}[?25h", options: .backwards) != nil, "the cursor is shown again")
        for visible in Self.visibleLines(screen) {
            guard visible.hasPrefix(" =>") || visible.hasPrefix("[+]") else { continue }
            #expect(visible.count <= 100, "the view fits the terminal's 100 columns: \(visible)")
        }
    }

    /// Ctrl-C in the live view: the RUN is killed, the cursor is shown again, exit status 130.
    @Test func ctrlCInTheLiveViewGivesTheTerminalBack() throws {
        let marker = "sleep \(Int.random(in: 800_000...899_999))"
        let h = try CLIHarness(dockerfile: "FROM busybox\nRUN \(marker)\n")
        // Ctrl-C typed into the pseudo-terminal once the RUN is going: the line discipline sends
        // SIGINT to the foreground process group, as in a person's terminal.
        let build = "stty cols 100 rows 30; \(Paths.hoist) assemble --progress=tty -o type=oci,dest=\(h.root.path)/out.tar .; echo status=\\$?"
        // A second after the RUN starts, so the view has drawn it. bash runs the command line:
        // dash (CI's /bin/sh, when SHELL is unset) dies of the SIGINT itself and never prints the status.
        let typist = "for i in $(seq 1 600); do pgrep -f '^\(marker)' >/dev/null && break; sleep 0.1; done; sleep 1; printf '\\003'; sleep 3"
        let result = try Shell.run(["bash", "-c", "(\(typist)) | script -qefc \"\(build)\" /dev/null"],
                                   environment: h.fixtures.environment(root: h.root.path).merging(["SHELL": "/bin/bash"]) { $1 },
                                   directory: h.context.path)
        let screen = result.stdout
        #expect(screen.contains("] RUN \(marker)"), "the RUN was drawn before Ctrl-C: \(screen)")
        #expect(screen.contains("status=130"), "\(screen)")
        let hidden = try #require(screen.range(of: "\u{1B}[?25l", options: .backwards), "the view was drawn: \(screen)")
        #expect(screen[hidden.upperBound...].contains("\u{1B}[?25h"), "the cursor is shown again after the last hide")
        #expect(screen.contains("interrupted"), "\(screen)")
        #expect(try Shell.run(["pgrep", "-f", "^" + marker]).status != 0, "the RUN is killed")
    }

    @Test func quietPrintsOnlyTheDigestAndBadModesAreRefused() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox\nMAINTAINER someone\n")
        let quiet = try h.build(["--progress=quiet"])
        try #require(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.stdout.range(of: "^sha256:[0-9a-f]{64}\n$", options: .regularExpression) != nil)
        #expect(quiet.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("warning: ") }, "only warnings: \(quiet.stderr)")
        #expect(quiet.stderr.contains("MaintainerDeprecated"), "lint warnings still reach stderr")
        let bad = try h.build(["--progress=fancy"])
        #expect(bad.status == 64 && bad.stderr.contains("--progress=fancy: expected auto, tty, plain, rawjson or quiet"), "\(bad.stderr)")
        let badEnvironment = try h.build([], environment: ["BUILDKIT_PROGRESS": "fancy"])
        #expect(badEnvironment.status == 64 && badEnvironment.stderr.contains("BUILDKIT_PROGRESS=fancy"), "\(badEnvironment.stderr)")
    }

    /// The text a terminal shows for each line: escape sequences dropped, a carriage return
    /// starting the line again.
    static func visibleLines(_ text: String) -> [String] {
        var lines: [String] = [], current = String.UnicodeScalarView(), escape = false
        for scalar in text.unicodeScalars {
            if escape {
                if ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) { escape = false }
                continue
            }
            switch scalar {
            case "\u{1B}": escape = true
            case "\n":
                lines.append(String(current))
                current = String.UnicodeScalarView()
            case "\r": current = String.UnicodeScalarView()
            default: current.append(scalar)
            }
        }
        return lines + [String(current)]
    }
}

import ArgumentParser
import Foundation
import HoistBuild
import HoistDockerfile
import HoistOCI

/// What `--call` asks of `hoist assemble`, read as buildx 0.29's `ParseCallFunc`
/// (util/buildflags/callfunc.go): a CSV list with one method name and `format=` / `ignorestatus=`
/// settings. `check` is what buildx sends as `lint`; `build` is the ordinary build.
struct CallRequest: Equatable {
    enum Method: String, CaseIterable { case build, check, outline, targets }

    var method: Method
    var json = false
    /// `ignorestatus=true`: exit 0 even when `check` found warnings.
    var ignoreStatus = false

    init(method: Method, json: Bool = false, ignoreStatus: Bool = false) {
        self.method = method
        self.json = json
        self.ignoreStatus = ignoreStatus
    }

    init(parsing text: String) throws {
        var name: String?
        var json = false
        var ignoreStatus = false
        for field in text.split(separator: ",").map(String.init) {
            if let eq = field.firstIndex(of: "=") {
                let key = String(field[..<eq]), value = String(field[field.index(after: eq)...])
                switch key {
                case "format":
                    guard value == "json" else { throw CallError.unknownFormat(value, call: text) }
                    json = true
                case "ignorestatus":
                    guard let flag = BuildxAttributes.bool(value) else { throw CallError.badIgnoreStatus(value) }
                    ignoreStatus = flag
                default: throw CallError.unknownField(field, call: text)
                }
            } else {
                guard name == nil else { throw CallError.twoMethods(text) }
                name = field
            }
        }
        let lowered = name?.lowercased() ?? "build"
        guard let method = lowered == "lint" ? .check : Method(rawValue: lowered) else { throw CallError.unknownMethod(name ?? "", call: text) }
        guard !json || method != .build else { throw CallError.unknownFormat("json", call: text) }
        self.init(method: method, json: json, ignoreStatus: ignoreStatus)
    }
}

enum CallError: Error, CustomStringConvertible {
    case unknownMethod(String, call: String)
    case unknownFormat(String, call: String)
    case unknownField(String, call: String)
    case twoMethods(String)
    case badIgnoreStatus(String)
    case checkAndCall(String)
    case unreadableDockerfile(String)

    var description: String {
        switch self {
        case let .unknownMethod(name, call):
            "--call=\(call): unknown method \"\(name)\"; use build (the default), check, outline or targets"
        case let .unknownFormat(format, call):
            format == "json" ? "--call=\(call): format=json goes with check, outline or targets, not with a build"
                : "--call=\(call): unknown format \"\(format)\"; use format=json, or leave it out for text"
        case let .unknownField(field, call): "--call=\(call): unknown setting \"\(field)\"; use format=json or ignorestatus=true"
        case let .twoMethods(call): "--call=\(call): name one method (build, check, outline or targets)"
        case let .badIgnoreStatus(value): "--call …,ignorestatus=\(value): expected true or false"
        case let .checkAndCall(call): "--check is --call=check; it cannot go with --call=\(call)"
        case let .unreadableDockerfile(path): "cannot read the Dockerfile at \(path) (give another with -f)"
        }
    }
}

extension Assemble {
    /// The request of `--call` or `--check`, nil for an ordinary build.
    func callRequest() throws -> CallRequest? {
        var request = try call.map(CallRequest.init(parsing:))
        if check {
            if let request, request.method != .check { throw CallError.checkAndCall(call ?? "") }
            request = request ?? CallRequest(method: .check)
        }
        return request.flatMap { $0.method == .build ? nil : $0 }
    }

    /// Answers `--call=check|outline|targets` from the Dockerfile alone: nothing is pulled, resolved
    /// or built. Returns false when the request is an ordinary build.
    func runCallIfAsked() throws -> Bool {
        let request: CallRequest
        do {
            guard let asked = try callRequest() else { return false }
            request = asked
        } catch {
            reportFailure(error)
            throw ExitCode.failure
        }
        var status: Int32 = 0
        try reportingFailure {
            let (text, name) = try readDockerfile()
            switch request.method {
            case .build: return
            case .outline:
                let outline = try BuildOutline(try Dockerfile(parsing: text, file: name), target: target, buildArgs: buildArgs(environment: ProcessInfo.processInfo.environment),
                                               automaticArgs: Builder.platformArgs(target: try platforms().first ?? .host, build: .host))
                print(request.json ? CallOutput.json(outline) : CallOutput.text(outline), terminator: "")
            case .targets:
                let list = TargetList(try Dockerfile(parsing: text, file: name, enforcingCheck: false))
                print(request.json ? CallOutput.json(list) : CallOutput.text(list), terminator: "")
            case .check:
                let report = try LintReport(parsing: text, file: name)
                print(request.json ? CallOutput.json(report) : CallOutput.text(report), terminator: "")
                FileHandle.standardOutput.synchronizeFile()
                if let violation = report.violation {
                    FileHandle.standardError.write(Data("error: \(violation.message)\n".utf8))
                    status = 1
                } else if !report.warnings.isEmpty, !request.ignoreStatus {
                    status = 1
                }
            }
        }
        if status != 0 { throw ExitCode(status) }
        return true
    }

    /// The Dockerfile's text and the name buildx gives it in its outputs: `Dockerfile`, or the -f path.
    private func readDockerfile() throws -> (String, String) {
        if file == "-" { return (String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self), "Dockerfile") }
        let path = file ?? context + "/Dockerfile"
        guard let data = FileManager.default.contents(atPath: path) else { throw CallError.unreadableDockerfile(path) }
        return (String(decoding: data, as: UTF8.self), file ?? "Dockerfile")
    }
}

/// buildx's printing of `--call` results (BuildKit's frontend/subrequests printers and buildx's
/// commands/build.go printResult), in text and in JSON. Two deliberate differences, docs/call.md:
/// a warning's `WARNING: RULE` line has no ` - URL` (the JSON keeps `url`), and the JSON's
/// `sources` have no `definition` (BuildKit's LLB for loading the Dockerfile, which Hoist has not).
enum CallOutput {
    // MARK: outline

    static func text(_ outline: BuildOutline) -> String {
        var out = ""
        if outline.name != nil || outline.description != nil {
            var header = TabWriter(padding: 1)
            header.line("TARGET:", outline.name ?? "(default)")
            if let description = outline.description { header.line("DESCRIPTION:", description) }
            out += header.rendered() + "\n"
        }
        if !outline.args.isEmpty {
            var table = TabWriter(padding: 3)
            table.line("BUILD ARG", "VALUE", "DESCRIPTION")
            for arg in outline.args { table.line(arg.name, arg.value ?? "", arg.description ?? "") }
            out += table.rendered() + "\n"
        }
        for (title, mounts) in [("SECRET", outline.secrets), ("SSH", outline.ssh)] where !mounts.isEmpty {
            var table = TabWriter(padding: 3)
            table.line(title, "REQUIRED")
            for mount in mounts { table.line(mount.name, mount.required ? "true" : "") }
            out += table.rendered() + "\n"
        }
        return out
    }

    static func json(_ outline: BuildOutline) -> String {
        func mounts(_ list: [BuildOutline.Mount]) -> GoJSON? {
            list.isEmpty ? nil : .array(list.map { GoJSON.members([("name", .string($0.name)), ("required", $0.required ? .bool(true) : nil),
                                                                   ("location", location($0.location))]) })
        }
        let args: GoJSON? = outline.args.isEmpty ? nil : .array(outline.args.map {
            GoJSON.members([("name", .string($0.name)), ("description", nonEmpty($0.description)), ("value", nonEmpty($0.value)),
                            ("location", location($0.location))])
        })
        return GoJSON.members([("name", nonEmpty(outline.name)), ("description", nonEmpty(outline.description)), ("args", args),
                               ("secrets", mounts(outline.secrets)), ("ssh", mounts(outline.ssh)),
                               ("sources", .array([.string(base64(outline.source))]))]).rendered() + "\n"
    }

    // MARK: targets

    static func text(_ list: TargetList) -> String {
        var table = TabWriter(padding: 1)
        table.line("TARGET", "DESCRIPTION")
        for target in list.targets {
            let name = switch (target.name, target.isDefault) {
            case (nil, true), ("", true): "(default)"
            case let (name?, true): "\(name) (default)"
            case let (name, false): name ?? ""
            }
            table.line(name, target.description ?? "")
        }
        return table.rendered()
    }

    static func json(_ list: TargetList) -> String {
        let targets: [GoJSON] = list.targets.map {
            GoJSON.members([("name", nonEmpty($0.name)), ("default", $0.isDefault ? .bool(true) : nil), ("description", nonEmpty($0.description)),
                            ("base", nonEmpty($0.base)), ("platform", nonEmpty($0.platform)), ("location", location($0.location))])
        }
        return GoJSON.object([("targets", targets.isEmpty ? .null : .array(targets)),
                              ("sources", .array([.string(base64(list.source))]))]).rendered() + "\n"
    }

    // MARK: check

    static func text(_ report: LintReport) -> String {
        var out = ""
        let count = report.warnings.count
        if count > 0 { out += "Check complete, \(count == 1 ? "1 warning has" : "\(count) warnings have") been found!\n" }
        let lines = report.source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for warning in report.warningsByLine {
            out += "\nWARNING: \(warning.rule.name)\n\(warning.detail)\n"
            out += snippet(lines, file: report.file, start: warning.location.line, end: warning.endLine)
        }
        if report.violation != nil {
            if count > 0 { out += "\n" }
        } else if count == 0 {
            out += "Check complete, no warnings found.\n"
        }
        return out
    }

    static func json(_ report: LintReport) -> String {
        let warnings: [GoJSON] = report.warnings.map {
            GoJSON.object([("ruleName", .string($0.rule.name)), ("description", .string($0.rule.summary)), ("url", .string($0.rule.url)),
                           ("detail", .string($0.detail)), ("location", location(SourceRange(start: $0.location.line, end: $0.endLine)))])
        }
        var members: [(String, GoJSON)] = [
            ("warnings", warnings.isEmpty ? .null : .array(warnings)),
            ("sources", .array([.object([("filename", .string(report.file)), ("data", .string(base64(report.source))),
                                         ("language", .string("Dockerfile"))])])),
        ]
        if let violation = report.violation {
            members.append(("buildError", .object([("message", .string(violation.message)), ("location", .object([]))])))
        }
        return GoJSON.object(members).rendered() + "\n"
    }

    /// BuildKit's errdefs.Source.Print: the lines around a range, the range's own marked `>>>`.
    static func snippet(_ lines: [String], file: String, start: Int, end: Int) -> String {
        guard start >= 1, start <= lines.count else { return "" }
        var first = start, last = min(max(end, start), lines.count)
        let pad = first == last ? 4 : 2
        var p = 0
        while p < pad {
            if first > 1 { first -= 1; p += 1 }
            if last != lines.count { last += 1; p += 1 }
            p += 1
        }
        var out = "\(file):\(start)\n--------------------\n"
        for i in first...last {
            let marker = (start...max(end, start)).contains(i) ? ">>>" : "   "
            let number = String(i)
            out += " " + String(repeating: " ", count: max(0, 3 - number.count)) + number + " | " + marker + " " + lines[i - 1] + "\n"
        }
        return out + "--------------------\n"
    }

    // MARK: shared

    private static func location(_ range: SourceRange) -> GoJSON {
        .object([("ranges", .array([.object([("start", .object([("line", .int(range.start))])), ("end", .object([("line", .int(range.end))]))])]))])
    }

    private static func nonEmpty(_ text: String?) -> GoJSON? {
        guard let text, !text.isEmpty else { return nil }
        return .string(text)
    }

    private static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
}

import ArgumentParser
import Foundation
import HoistDockerfile

/// `hoist debug …`: looking inside Hoist.
struct Debug: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Inspect how Hoist reads its inputs.", subcommands: [Parse.self])

    /// `hoist debug parse [--dump] FILE`
    struct Parse: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Parse a Dockerfile and print its instructions.")

        @Flag(help: "Print BuildKit's S-expression dump of the parse tree instead.")
        var dump = false

        @Flag(help: "Also plan the build: print the stages the target needs, in build order.")
        var plan = false

        @Option(help: "With --plan: the stage to build.")
        var target: String?

        @Flag(help: "Print how long parsing (and planning) took, to stderr.")
        var time = false

        @Argument(help: "The Dockerfile ('-' for standard input).")
        var file: String

        func run() throws {
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
            guard let data else {
                FileHandle.standardError.write(Data("error: cannot read \(file)\n".utf8))
                throw ExitCode.failure
            }
            let text = String(decoding: data, as: UTF8.self)
            do {
                if dump {
                    print(try SyntaxParser.parse(text, file: file).dump(), terminator: "")
                    return
                }
                let clock = ContinuousClock()
                let started = clock.now
                let dockerfile = try Dockerfile(parsing: text, file: file)
                defer {
                    if time { FileHandle.standardError.write(Data("parsed\(plan ? " and planned" : "") \(dockerfile.instructions.count) instructions in \(clock.now - started)\n".utf8)) }
                }
                for warning in dockerfile.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
                if plan {
                    let graph = try BuildGraph(dockerfile, target: target)
                    for i in graph.order {
                        let stage = graph.stages[i]
                        print("stage \(i)\t\(stage.name ?? "-")\tFROM \(stage.base)\t\(stage.instructions.count) instructions")
                    }
                    return
                }
                for located in dockerfile.instructions {
                    let lines = located.endLine == located.location.line ? "\(located.location.line)" : "\(located.location.line)-\(located.endLine)"
                    print("\(lines)\t" + "\(located.instruction)".replacingOccurrences(of: "HoistDockerfile.", with: ""))
                }
            } catch {
                reportFailure(error)
                throw ExitCode.failure
            }
        }
    }
}

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
                let dockerfile = try Dockerfile(parsing: text, file: file)
                for warning in dockerfile.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
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

import HoistDockerfile

/// One fuzz input: the bytes as a Dockerfile (parse, dump, plan) and as a word to expand.
/// Errors are expected; crashes, hangs and runaway memory are what libFuzzer looks for.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let tree = try? SyntaxParser.parse(text) { _ = tree.dump() }
    if let dockerfile = try? Dockerfile(parsing: text) {
        _ = try? BuildGraph(dockerfile, buildArgs: ["A": "1"], automaticArgs: ["TARGETARCH": "amd64"])
        for located in dockerfile.instructions {
            _ = try? located.instruction.expandingWords { try ShellWords().expand($0, ["A": "x"]) }
        }
    }
    _ = try? ShellWords().expand(text, ["A": "aXbXc", "B": "", "FILE": "a.tar.gz"])
    _ = try? ShellWords.expandHeredoc(text, ["A": "x"])
    return 0
}

// SwiftPM links an executable's entry point as `<Module>_main`; hand control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

@_cdecl("DockerfileFuzzer_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { data, size in fuzzOne(data, size) }
}

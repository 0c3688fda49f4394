import ArgumentParser
import Foundation
import HoistBuild
import HoistContent
import HoistLayers
import HoistOCI
import HoistSandbox
import Synchronization

/// Whether SIGINT or SIGTERM arrived: the build's own failure then leaves the exit to the handler.
private let interrupted = Atomic<Bool>(false)

/// `hoist assemble` (alias `build`): docker-build flags.
struct Assemble: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build an image from a Dockerfile and push it or write it to a tarball.",
        aliases: ["build"]
    )

    @Option(name: [.customShort("t"), .long], help: "Name and tag, e.g. registry/repo:tag (repeatable).")
    var tag: [String] = []

    @Option(name: [.customShort("f"), .long], help: "Path to the Dockerfile (default: CONTEXT/Dockerfile).")
    var file: String?

    @Option(help: "Build this stage and the stages it needs.")
    var target: String?

    @Option(name: .customLong("build-arg"), help: "Set a build arg: KEY=VALUE, or KEY to take it from the environment (repeatable).")
    var buildArg: [String] = []

    @Option(name: .customLong("build-context"), help: "NAME=docker-image://REF, NAME=oci-layout://PATH[:TAG] or NAME=DIR: what FROM/COPY --from NAME reads (repeatable).")
    var buildContext: [String] = []

    @Option(help: "Target platform(s), e.g. linux/amd64 or linux/amd64,linux/arm64 (default: this machine's).")
    var platform: String?

    @Flag(help: "Push the image to the registry named by each -t.")
    var push = false

    @Option(name: [.customShort("o"), .long], help: "Output: type=registry or type=oci,dest=FILE.tar (repeatable).")
    var output: [String] = []

    @OptionGroup var registry: RegistryOptions

    @Option(help: "Write the image ID (its config digest) to this file.")
    var iidfile: String?

    @Option(name: .customLong("metadata-file"), help: "Write buildx's build metadata (JSON) to this file.")
    var metadataFile: String?

    @Option(name: .customLong("source-date-epoch"), help: "Seconds since 1970 for created times and file mtimes (default: $SOURCE_DATE_EPOCH).")
    var sourceDateEpoch: Int?

    @Option(help: "Layer compression: gzip[:level] (default), zstd[:level] or uncompressed.")
    var compression: String?

    @Option(help: "Set a label on the image: KEY=VALUE (repeatable).")
    var label: [String] = []

    @Option(help: "Add an annotation: KEY=VALUE on the manifest, index:KEY=VALUE on a multi-platform index (repeatable).")
    var annotation: [String] = []

    @Option(help: "Media types of the image: oci (default) or docker (Docker schema 2 and manifest lists).")
    var format: String?

    @Option(help: "A secret for RUN --mount=type=secret: id=ID,src=FILE or id=ID,env=VAR (repeatable).")
    var secret: [String] = []

    @Option(help: "Forward an ssh agent to RUN --mount=type=ssh: default, or default=SOCKET (default: $SSH_AUTH_SOCK).")
    var ssh: [String] = []

    @Option(help: "Grant an entitlement: security.insecure (lets RUN --security=insecure run).")
    var allow: [String] = []

    @Flag(name: .customLong("no-cache"), help: "Run every step again instead of reusing a cached result.")
    var noCache = false

    @Option(name: .customLong("cache-from"), help: "Read step results from a cache: type=registry,ref=REF or type=local,src=DIR (repeatable, searched in order).")
    var cacheFrom: [String] = []

    @Option(name: .customLong("cache-to"), help: "Export step results: type=registry,ref=REF[,mode=min|max][,ignore-error=true] or type=local,dest=DIR (repeatable).")
    var cacheTo: [String] = []

    @Flag(name: .shortAndLong, help: "Only print the image digest (--progress=quiet).")
    var quiet = false

    @Option(help: "How to show progress: auto (tty on a terminal, else plain), tty, plain, rawjson or quiet (default: $BUILDKIT_PROGRESS, else auto).")
    var progress: String?

    @Flag(help: "Resolve every base image's tag again. Hoist always does: it never reuses an earlier resolution, so this flag changes nothing.")
    var pull = false

    @Option(help: "The network every RUN gets unless it says otherwise: default, none or host.")
    var network: String?

    @Option(name: .customLong("add-host"), help: "Add HOST:IP to RUN's /etc/hosts (repeatable).")
    var addHost: [String] = []

    @Option(help: "A resource limit for RUN: NAME=SOFT[:HARD], e.g. nofile=1024:2048 (repeatable).")
    var ulimit: [String] = []

    @Option(name: .customLong("shm-size"), help: "Size of RUN's /dev/shm, e.g. 128m or 1g (default: 64m).")
    var shmSize: String?

    @Option(help: "SLSA provenance: true, false, or mode=min|max[,builder-id=URI][,referrers=true] (default: mode=min unless $BUILDX_NO_DEFAULT_ATTESTATIONS).")
    var provenance: String?

    @Option(help: "An SPDX SBOM of the image's packages, read from its files: true or false.")
    var sbom: String?

    @Option(help: "An attestation: type=provenance[,mode=min|max] or type=sbom, with ,disabled=true or ,referrers=true (repeatable).")
    var attest: [String] = []

    @Option(help: "Instead of building: check (lint), outline (build args, secrets, ssh) or targets (stages); add ,format=json for buildx's JSON.")
    var call: String?

    @Flag(help: "Check the Dockerfile with BuildKit's lint rules without building (--call=check).")
    var check = false

    @Argument(help: "The build context directory.")
    var context: String

    func run() async throws {
        if try runCallIfAsked() { return }  // --call / --check (Call.swift): nothing is built
        UserNamespaceEntry.enterIfNeeded()
        let mode: ProgressMode
        do { mode = try ProgressMode.resolve(flag: progress, quiet: quiet, environment: ProcessInfo.processInfo.environment) } catch {
            throw ValidationError("\(error)")
        }
        // Ctrl-C or SIGTERM during a RUN: kill the sandboxes, detach their mounts, give the terminal back, then leave.
        let signals = [SIGINT, SIGTERM].map { (number: Int32) -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                // Set before the sandboxes die: the build fails because of that, and must not exit 1 first.
                interrupted.store(true, ordering: .sequentiallyConsistent)
                SandboxRegistry.interrupt()
                if mode == .tty { TTYPrinter.restoreTerminal() }
                FileHandle.standardError.write(Data("error: interrupted; the store keeps only complete blobs\n".utf8))
                // _exit, not exit: the killed sandbox's waiter thread is still running, and exit's
                // teardown of libraries under it crashed the process (SIGSEGV) instead of exiting 130.
                Glibc._exit(130)
            }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        do {
            let options = try makeOptions()
            // The printer is made last: a tty one hides the cursor, and only `finish` shows it again.
            let sink = PrinterSink()
            let progress = BuildProgress { sink.receive($0) }
            let builder = try Builder(options: options, progress: progress)
            let printer: ProgressPrinter? = switch mode {
            case .tty: TTYPrinter()
            case .plain, .auto: PlainPrinter()
            case .rawjson: RawJSONPrinter()
            case .quiet: nil
            }
            sink.printer = printer
            let result: BuildResult
            do {
                defer { printer?.finish() }
                result = try await builder.run()
            }
            if mode == .plain || mode == .tty {
                let s = result.stats
                FileHandle.standardError.write(Data(("transfer: downloaded \(s.downloadedBytes) bytes in \(s.downloaded.count) blobs, "
                    + "uploaded \(s.uploadedBytes) bytes in \(s.uploaded.count) blobs, mounted \(s.mounted.count), already present \(s.existing.count); "
                    + "base layers downloaded \(result.baseLayerBytesDownloaded) bytes\n").utf8))
                // Hoist's own peak; `time`'s maximum RSS would be the largest RUN command's.
                if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
                   let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) {
                    let kilobytes = line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { Int($0) } ?? 0
                    FileHandle.standardError.write(Data("peak memory: \(kilobytes / 1024) MB\n".utf8))
                }
            }
            print(result.digest)
        } catch let error as ExitCode {
            throw error
        } catch {
            // Failed because Ctrl-C killed the RUN: the signal handler is exiting with 130.
            if interrupted.load(ordering: .sequentiallyConsistent) { while true { pause() } }
            reportFailure(error)
            throw ExitCode.failure
        }
    }

    private func makeOptions() throws -> BuildOptions {
        let environment = ProcessInfo.processInfo.environment
        var options = BuildOptions(contextDirectory: context, root: HoistPaths.root())
        if file == "-" {
            options.dockerfileText = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            options.dockerfile = file
        }
        options.target = target
        options.push = push
        options.registriesConf = registry.registriesConf
        options.insecureRegistries = Set(registry.insecureRegistry)
        options.tags = try tag.map { text in
            do { return try Reference(parsing: text) } catch { throw ValidationError("-t \(text): \(error)") }
        }
        options.outputs = try output.map(OutputSpec.init(parsing:))
        if let format { options.format = try ImageFormat(parsing: format) }
        if let compression { options.compression = try LayerCompression(parsing: compression) }
        // buildx's image output options, from any --output: compression=, force-compression=, oci-mediatypes=.
        for text in output {
            let settings = BuildxAttributes.fields(text)
            if let value = settings["compression"] {
                let level = settings["compression-level"].map { ":" + $0 } ?? ""
                options.compression = try LayerCompression(parsing: value + level)
            }
            if let value = settings["force-compression"] { options.forceCompression = try Self.bool(value, "force-compression") }
            if let value = settings["oci-mediatypes"] { options.format = try Self.bool(value, "oci-mediatypes") ? .oci : .docker }
            if let value = settings["push-by-digest"] { options.pushByDigest = try Self.bool(value, "push-by-digest") }
            if let name = settings["name"], ["registry", "image"].contains(settings["type"] ?? "") {
                do { options.tags.append(try Reference(parsing: name)) } catch { throw ValidationError("--output \(text): name=\(name): \(error)") }
            }
        }
        for item in secret {
            let (id, source) = try SecretSource.parse(item)
            options.secrets[id] = source
        }
        for item in ssh {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts[0] == "default" else { throw ValidationError("--ssh \(item): only the default agent is supported (default or default=SOCKET)") }
            guard let socket = parts.count > 1 ? parts[1] : environment["SSH_AUTH_SOCK"], !socket.isEmpty else {
                throw ValidationError("--ssh default: SSH_AUTH_SOCK is not set; give the agent's socket as default=PATH")
            }
            options.sshAgent = socket
        }
        options.noCache = noCache
        options.cacheFrom = try cacheFrom.map { try CacheSpec(parsing: $0, exporting: false) }
        options.cacheTo = try cacheTo.map { try CacheSpec(parsing: $0, exporting: true) }
        for item in allow {
            guard item == "security.insecure" else { throw ValidationError("--allow \(item): the only entitlement is security.insecure") }
            options.allowInsecure = true
        }
        for item in label {
            let (key, value) = try Self.pair(item, "--label")
            options.labels[key] = value
        }
        for item in annotation {
            var (key, value) = try Self.pair(item, "--annotation")
            if key.hasPrefix("index:") {
                key.removeFirst("index:".count)
                options.indexAnnotations[key] = value
            } else {
                if key.hasPrefix("manifest:") { key.removeFirst("manifest:".count) }
                options.annotations[key] = value
            }
        }
        if options.format == .docker, !(options.annotations.isEmpty && options.indexAnnotations.isEmpty) {
            throw ValidationError("--annotation needs the OCI format: Docker's schema 2 manifests have no annotations")
        }
        for item in buildContext {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw ValidationError("--build-context \(item): expected NAME=VALUE")
            }
            let name = String(item[..<eq])
            options.namedContexts[name] = try NamedContext(parsing: String(item[item.index(after: eq)...]), name: name)
        }
        let list = try platforms()
        options.platform = list.first ?? .host
        if list.count > 1 { options.platforms = list }
        options.iidFile = iidfile
        options.metadataFile = metadataFile
        options.buildArgs = buildArgs(environment: environment)
        // As with BuildKit, --build-arg SOURCE_DATE_EPOCH=… sets the epoch too, and wins.
        if let epoch = options.buildArgs["SOURCE_DATE_EPOCH"] ?? environment["SOURCE_DATE_EPOCH"], !epoch.isEmpty {
            guard let seconds = Int(epoch), seconds >= 0 else { throw ValidationError("SOURCE_DATE_EPOCH=\(epoch) is not a number of seconds") }
            options.sourceDateEpoch = seconds
        }
        if let text = environment["HOIST_JOBS"], !text.isEmpty {
            guard let jobs = Int(text), jobs > 0 else {
                throw ValidationError("HOIST_JOBS=\(text): expected a positive number of stages to build at once (1 builds them one after another)")
            }
            options.jobs = jobs
        }
        if let network { options.runDefaults.network = try RunDefaults.network(parsing: network) }
        options.runDefaults.extraHosts = try addHost.map(RunDefaults.HostEntry.init(parsing:))
        options.runDefaults.limits = try ulimit.map(ResourceLimit.init(parsing:))
        if let shmSize { options.runDefaults.shmSize = try RunDefaults.shmSize(parsing: shmSize) }
        if let sourceDateEpoch {
            guard sourceDateEpoch >= 0 else { throw ValidationError("--source-date-epoch must not be negative") }
            options.sourceDateEpoch = sourceDateEpoch
        }
        // As buildx: provenance mode=min unless BUILDX_NO_DEFAULT_ATTESTATIONS is true.
        let noDefaults = environment["BUILDX_NO_DEFAULT_ATTESTATIONS"].flatMap(BuildxAttributes.bool) ?? false
        do {
            options.attestations = try AttestationOptions.parse(provenance: provenance, sbom: sbom, attest: attest, defaults: !noDefaults)
        } catch {
            throw ValidationError("\(error)")
        }
        return options
    }

    /// `--platform a,b` in order; empty when not given.
    func platforms() throws -> [Platform] {
        try platform.map { text in
            try text.split(separator: ",").map { try Platform(parsing: String($0).trimmingCharacters(in: .whitespaces)) }
        } ?? []
    }

    /// `--build-arg KEY=VALUE`, or `KEY` taken from `environment` (left out when it is not set there).
    func buildArgs(environment: [String: String]) -> [String: String] {
        var args: [String: String] = [:]
        for arg in buildArg {
            if let eq = arg.firstIndex(of: "=") {
                args[String(arg[..<eq])] = String(arg[arg.index(after: eq)...])
            } else if let value = environment[arg] {
                args[arg] = value
            }
        }
        return args
    }

    private static func pair(_ item: String, _ flag: String) throws -> (String, String) {
        guard let eq = item.firstIndex(of: "="), eq != item.startIndex else { throw ValidationError("\(flag) \(item): expected KEY=VALUE") }
        return (String(item[..<eq]), String(item[item.index(after: eq)...]))
    }

    private static func bool(_ text: String, _ key: String) throws -> Bool {
        guard let value = BuildxAttributes.bool(text) else { throw ValidationError("--output …,\(key)=\(text): expected true or false") }
        return value
    }
}

/// Where progress events go: the printer once it exists; warnings to stderr when there is none (quiet).
private final class PrinterSink: @unchecked Sendable {
    // Set once, before the build starts; read under BuildProgress's lock.
    var printer: ProgressPrinter?

    func receive(_ event: ProgressEvent) {
        if let printer {
            printer.receive(event)
        } else if case let .warning(text, _) = event {
            writeStandardError("warning: \(text)\n")
        }
    }
}

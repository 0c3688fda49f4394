import CSandbox
import Foundation

/// One command run in its own namespaces with `rootfs` as `/` (see CSandbox for the steps).
/// The blocking wait runs on a thread of its own, never on Swift's cooperative pool; output is
/// read line by line as it comes and handed to `onLine`, and the last lines are kept for errors.
public struct Sandbox: Sendable {
    public enum Network: Sendable, Equatable { case host, none }

    public var rootfs: String
    public var argv: [String]
    public var environment: [String]
    public var workingDirectory: String
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    public var groups: [UInt32] = []
    public var network: Network = .host
    /// `RUN --security=insecure`: every capability; otherwise runc's default set.
    public var allCapabilities = false
    public var hostname = "buildkitsandbox"
    /// Host files bind-mounted read-only over /etc/hosts, /etc/resolv.conf and /etc/hostname.
    public var hostsFile: String?
    public var resolvFile: String?
    public var hostnameFile: String?
    public var mounts: [Mount] = []
    /// `--ulimit`s, set before the command starts.
    public var limits: [ResourceLimit] = []
    /// Bytes of `/dev/shm` (`--shm-size`); nil gives 64 MiB, as BuildKit.
    public var shmSize: UInt64?

    /// A bind of a host path (`source`), or a tmpfs, at `target` (relative to the root, already made).
    public struct Mount: Sendable, Equatable {
        public var source: String?
        public var target: String
        public var tmpfsOptions: String?
        public var readOnly: Bool

        public static func bind(_ source: String, at target: String, readOnly: Bool) -> Mount {
            Mount(source: source, target: target, tmpfsOptions: nil, readOnly: readOnly)
        }

        public static func tmpfs(at target: String, options: String) -> Mount {
            Mount(source: nil, target: target, tmpfsOptions: options, readOnly: false)
        }
    }

    public init(rootfs: String, argv: [String], environment: [String], workingDirectory: String) {
        self.rootfs = rootfs
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    public struct Outcome: Sendable {
        public var status: Int32
        /// The last lines the command wrote (stdout and stderr together).
        public var tail: [String]
    }

    /// Runs the command to its end. Cancelling the task kills the sandbox (SIGKILL to its PID
    /// namespace); the outcome then carries the signal's status, and mounts are left to the caller.
    public func run(onLine: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        try Task.checkCancellation()
        let slot = SandboxRegistry.slot()
        defer { SandboxRegistry.release(slot) }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let thread = Thread { continuation.resume(with: Result { try runBlocking(onLine: onLine, pid: slot.pid) }) }
                thread.stackSize = 1 << 20
                thread.start()
            }
        } onCancel: {
            SandboxRegistry.kill(slot)
        }
    }

    private func runBlocking(onLine: @escaping @Sendable (String) -> Void, pid: UnsafeMutablePointer<pid_t>) throws -> Outcome {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SandboxError.setup("pipe: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let reader = OutputReader(fd: fds[0], onLine: onLine)
        reader.start()
        var error = [CChar](repeating: 0, count: 1024)
        let status = withCStrings(argv) { argvPointer in
            withCStrings(environment) { envPointer in
                groups.withUnsafeBufferPointer { groupPointer in
                    rootfs.withCString { root in
                        workingDirectory.withCString { cwd in
                            hostname.withCString { host in
                                withOptional(hostsFile) { hosts in
                                    withOptional(resolvFile) { resolv in
                                        withOptional(hostnameFile) { hostnameFile in
                                            withMounts(mounts) { mountPointer in
                                                let rlimits = limits.map { hoist_rlimit(resource: $0.resource, soft: $0.soft, hard: $0.hard) }
                                                return rlimits.withUnsafeBufferPointer { limitPointer in
                                                var spec = hoist_sandbox(
                                                    rootfs: root, argv: argvPointer, envp: envPointer, cwd: cwd, hostname: host,
                                                    hosts_file: hosts, resolv_file: resolv, hostname_file: hostnameFile,
                                                    uid: uid, gid: gid, groups: groupPointer.baseAddress, ngroups: groups.count,
                                                    mounts: mountPointer, nmounts: mounts.count,
                                                    new_network: network == .none ? 1 : 0, in_user_namespace: hoist_userns_state() == 1 ? 1 : 0,
                                                    all_capabilities: allCapabilities ? 1 : 0, stdout_fd: fds[1], stderr_fd: fds[1],
                                                    rlimits: limitPointer.baseAddress, nrlimits: rlimits.count, shm_size: shmSize ?? 0)
                                                return hoist_sandbox_run(&spec, &error, error.count, pid)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        close(fds[1])
        let tail = reader.finish()
        guard status >= 0 else {
            let message = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if message.contains("unshare"), geteuid() != 0 { throw SandboxError.notRoot }
            throw SandboxError.setup(message)
        }
        return Outcome(status: status, tail: tail)
    }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let pointers = strings.map { UnsafePointer(strdup($0)) } + [nil]
    defer { pointers.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// The mounts as C structs; their strings live until `body` returns.
private func withMounts<R>(_ mounts: [Sandbox.Mount], _ body: (UnsafePointer<hoist_mount>?) -> R) -> R {
    var strings: [UnsafeMutablePointer<CChar>] = []
    defer { strings.forEach { free($0) } }
    func keep(_ text: String?) -> UnsafePointer<CChar>? {
        guard let text, let copy = strdup(text) else { return nil }
        strings.append(copy)
        return UnsafePointer(copy)
    }
    let structs = mounts.map { m in
        hoist_mount(source: keep(m.source), target: keep(m.target), fstype: m.tmpfsOptions == nil ? nil : keep("tmpfs"),
                    data: keep(m.tmpfsOptions), readonly: m.readOnly ? 1 : 0)
    }
    return structs.withUnsafeBufferPointer { body($0.baseAddress) }
}

private func withOptional<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}

/// Reads the command's output on its own thread until every writer has closed the pipe.
private final class OutputReader: @unchecked Sendable {
    private let fd: Int32
    private let onLine: @Sendable (String) -> Void
    private let done = DispatchSemaphore(value: 0)
    private var lines: [String] = []
    static let kept = 20

    init(fd: Int32, onLine: @escaping @Sendable (String) -> Void) {
        self.fd = fd
        self.onLine = onLine
    }

    func start() {
        let thread = Thread { [self] in
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                pending += buffer[0..<n]
                while let newline = pending.firstIndex(of: 10) {
                    emit(Array(pending[..<newline]))
                    pending.removeSubrange(...newline)
                }
            }
            if !pending.isEmpty { emit(pending) }
            close(fd)
            done.signal()
        }
        thread.start()
    }

    private func emit(_ bytes: [UInt8]) {
        let line = String(decoding: bytes, as: UTF8.self)
        onLine(line)
        lines.append(line)
        if lines.count > OutputReader.kept { lines.removeFirst(lines.count - OutputReader.kept) }
    }

    func finish() -> [String] {
        done.wait()
        return lines
    }
}

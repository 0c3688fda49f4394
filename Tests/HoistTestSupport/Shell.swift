import Foundation

/// Runs programs for tests and returns what they printed.
public struct ShellResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

private let spawnLock = NSLock()

public enum Shell {
    /// Runs `arguments` (argv[0] looked up in PATH) with extra environment; never throws on a non-zero exit.
    /// Spawned with posix_spawn rather than Foundation's Process, whose exit detection waits for
    /// every inheritor of a private socket to close: a daemon started by the child would hang it.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil, stdin: String? = nil) throws -> ShellResult {
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0], input: [Int32] = [0, 0]
        // pipe2 is not visible to Swift here: pipe + FD_CLOEXEC under a lock, so a concurrent spawn
        // never inherits another run's pipe (which would keep it open and hang that run's read).
        spawnLock.lock()
        defer { spawnLock.unlock() }
        guard pipe(&out) == 0, pipe(&err) == 0, pipe(&input) == 0 else {
            throw ShellError(command: arguments.joined(separator: " "), status: -1, stderr: "pipe failed")
        }
        for fd in out + err + input { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0)=\($1)" }
        let argv = ["/usr/bin/env"] + (directory.map { ["-C", $0] } ?? []) + arguments
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = env.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        // The calling thread may be a Dispatch worker, which blocks signals; a child inheriting that
        // mask could never be stopped with SIGTERM (nor could anything it starts). Start it clean.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, &cArgs, &cEnv)
        close(input[0]); close(out[1]); close(err[1])
        spawnLock.unlock()
        defer { spawnLock.lock() }
        guard rc == 0 else {
            close(input[1]); close(out[0]); close(err[0])
            throw ShellError(command: arguments.joined(separator: " "), status: rc, stderr: "posix_spawn failed")
        }
        if let stdin { _ = stdin.utf8CString.withUnsafeBufferPointer { write(input[1], $0.baseAddress, $0.count - 1) } }
        close(input[1])
        // Drain stderr on another thread while stdout is read here, so a full pipe never blocks the child.
        nonisolated(unsafe) var errData = Data()
        let errFD = err[0]
        let done = NSCondition()
        nonisolated(unsafe) var finished = false
        let errThread = Thread {
            let data = drain(errFD)
            done.lock(); errData = data; finished = true; done.signal(); done.unlock()
        }
        errThread.start()
        let outData = drain(out[0])
        done.lock(); while !finished { done.wait() }; done.unlock()
        close(out[0]); close(err[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ShellResult(status: exit, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    private static func drain(_ fd: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return data }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    /// Like `run`, but a non-zero exit is an error carrying stderr.
    @discardableResult
    public static func check(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws -> String {
        let r = try run(arguments, environment: environment, directory: directory)
        guard r.status == 0 else { throw ShellError(command: arguments.joined(separator: " "), status: r.status, stderr: r.stderr) }
        return r.stdout
    }
}

public struct ShellError: Error, CustomStringConvertible {
    public var command: String
    public var status: Int32
    public var stderr: String
    public var description: String { "\(command) exited \(status): \(stderr)" }
}

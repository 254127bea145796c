import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs programs with `posix_spawnp` and waits for them with `waitpid`: for the tests and the
/// fault runner, which start, signal and kill `berrys` processes.
///
/// Foundation's `Process` hangs in `waitUntilExit` under the test runner here, and its
/// children inherit the spawning thread's signal mask (SIGTERM blocked). This helper resets
/// the mask and default signal actions in the child, sends stdin from a file and writes
/// stdout/stderr into files, so no pipe can fill up.
public enum ChildProcess {
    /// Runs `program` to its end; returns its exit code and what it printed.
    /// - Parameter environment: added to (and overriding) this process's environment.
    public static func run(_ program: String, _ arguments: [String], input: String?,
                           environment: [String: String]?) throws -> (status: Int32, stdout: String, stderr: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("berrys-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let inPath = folder.appendingPathComponent("in").path
        let outPath = folder.appendingPathComponent("out").path
        let errPath = folder.appendingPathComponent("err").path
        FileManager.default.createFile(atPath: inPath, contents: Data((input ?? "").utf8))

        let pid = try spawn(program, arguments, environment: environment, stdin: inPath, stdout: outPath, stderr: errPath)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitStatus = exitCode(status)
        return (exitStatus, readText(outPath), readText(errPath))
    }

    /// A file's bytes as text (invalid UTF-8 replaced), read with POSIX calls: under the
    /// address sanitizer, `String(contentsOfFile:)` left one 4 KiB buffer per call unreleased
    /// (LeakSanitizer, FoundationEssentials' `readBytesFromFile`).
    static func readText(_ path: String) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return "" }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Starts a program with its standard streams on files, a clean signal mask and default
    /// signal actions; returns its pid.
    /// - Throws: `ChildProcessError` when it cannot be started.
    public static func spawn(_ program: String, _ arguments: [String], environment: [String: String]?,
                             stdin: String, stdout: String, stderr: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let merged = ProcessInfo.processInfo.environment.merging(environment ?? [:]) { $1 }
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw ChildProcessError(program: program, reason: String(cString: strerror(spawned))) }
        return pid
    }

    /// The exit code of a `waitpid` status; 128 + the signal for a killed process.
    public static func exitCode(_ status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}

/// A program that could not be started.
public struct ChildProcessError: Error, CustomStringConvertible, Sendable {
    public let program: String
    public let reason: String
    public var description: String { "cannot start \(program): \(reason)" }
}

/// A program running in the background, for tests and fault runs that signal or kill it.
public struct BackgroundProcess: Sendable {
    public let pid: pid_t

    /// Starts `program` with its output appended to `logPath`.
    public static func start(_ program: String, _ arguments: [String], environment: [String: String], logPath: String) throws -> BackgroundProcess {
        BackgroundProcess(pid: try ChildProcess.spawn(program, arguments, environment: environment,
                                                      stdin: "/dev/null", stdout: logPath, stderr: logPath))
    }

    /// Sends `signal` and waits for the process to end; returns its exit status (128+signal when killed).
    @discardableResult
    public func stop(signal: Int32) -> Int32 {
        kill(pid, signal)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return ChildProcess.exitCode(status)
    }

    /// Sends `signal` and waits at most `seconds` for the process to end.
    /// - Returns: its exit status, or nil when it is still running after `seconds` (it is then
    ///   left running; stop it with SIGKILL).
    public func stop(signal: Int32, within seconds: Double) -> Int32? {
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let status = exited() { return status }
            if Date() >= deadline { return nil }
            usleep(10_000)
        }
    }

    /// The exit status when the process has ended (reaping it), nil while it runs.
    public func exited() -> Int32? {
        var status: Int32 = 0
        var reaped: pid_t
        repeat { reaped = waitpid(pid, &status, WNOHANG) } while reaped == -1 && errno == EINTR
        return reaped == pid ? ChildProcess.exitCode(status) : nil
    }
}

extension BackgroundProcess {
    /// Kills the process with SIGKILL and reaps it, unless it has already ended and been reaped
    /// (`waitpid` then answers ECHILD, and nothing is signalled).
    public func killIfRunning() {
        var status: Int32 = 0
        var reaped: pid_t
        repeat { reaped = waitpid(pid, &status, WNOHANG) } while reaped == -1 && errno == EINTR
        guard reaped == 0 else { return }
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }
}

import BerrysFoundation
import ProcessSupport
import Synchronization

/// The background processes one test starts, killed when the test leaves `withProcesses`,
/// also when it throws: a failed test must not leave a `berrys` running beside the rest of the
/// suite, on the shared test Redis, where it kept taking CPU and partitions after hog run 5.
public final class ProcessScope: Sendable {
    private let started = Mutex<[BackgroundProcess]>([])

    fileprivate init() {}

    /// Starts `program` in the background (see `BackgroundProcess.start`), to be killed at the
    /// end of the scope unless the test stopped it.
    public func start(_ program: String, _ arguments: [String], environment: [String: String], logPath: String) throws -> BackgroundProcess {
        let process = try BackgroundProcess.start(program, arguments, environment: environment, logPath: logPath)
        started.withLock { $0.append(process) }
        return process
    }

    fileprivate func killRemaining() async {
        let processes = started.withLock { $0 }
        await Blocking.run { for process in processes { process.killIfRunning() } }
    }
}

/// Runs `body` with a scope to start background processes in; kills those still running
/// afterwards, also when `body` throws.
public func withProcesses<T>(_ body: (ProcessScope) async throws -> T) async throws -> T {
    let scope = ProcessScope()
    return try await doing({ try await body(scope) }, finally: { await scope.killRemaining() })
}

import BerrysRuntime
import Dispatch
import Logging
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How the long-running commands (`run`, `worker`, `project`, `serve`) start and stop: SIGTERM
/// and SIGINT are caught from the first line of the command, before any connection is made,
/// and always end in a graceful shutdown with exit 0.
///
/// `ServiceGroup` installs its signal handlers only when `run()` starts. Before that — while the
/// command connects, migrates and opens the log, which takes 0.1–0.5 s and longer while a server
/// is down — the default action applied and a SIGTERM killed the process (exit 143), leases
/// and all. The fault runner hit that window; a worker restarted after a kill -9 and stopped
/// at once is the case an operator meets.
public enum ServiceRun {
    /// Catches the shutdown signals, runs `setUp`, then the services it returns in one
    /// `ServiceGroup` until they end or a signal asks them to.
    ///
    /// A signal during `setUp` cancels it; the command then ends with exit 0 without starting
    /// the services (nothing was acquired yet). A signal after it triggers the group's graceful
    /// shutdown, also when the group has not started running yet (it starts and stops at once,
    /// giving back what it took).
    public static func run(loggerLabel: String, _ setUp: @escaping @Sendable () async throws -> [any Service]) async throws {
        let signals = ShutdownSignals.install()
        let setUpTask = Task { try await setUp() }
        let watcher = Task {
            await signals.wait()
            setUpTask.cancel()
        }
        let services: [any Service]
        do {
            services = try await setUpTask.value
        } catch {
            watcher.cancel()
            if signals.received { Logger(label: loggerLabel).notice("stopped by a signal while starting"); return }
            throw error
        }
        watcher.cancel()
        // Made after `setUp`, which bootstraps the logging system.
        let logger = Logger(label: loggerLabel)
        // Every long-running process measures its own stalls (berrys_runtime_stall_seconds).
        let detector = StallDetector(clock: ContinuousClock(), logger: logger)
        let group = ServiceGroup(configuration: .named(services + [detector], logger: logger))
        try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask { try await group.run(); return true }
            tasks.addTask {
                await signals.wait()
                if !Task.isCancelled { await group.triggerGracefulShutdown() }
                return false
            }
            for try await groupEnded in tasks where groupEnded { tasks.cancelAll() }
        }
    }
}

/// SIGTERM and SIGINT, caught: the first one is remembered, and everyone waiting is woken.
final class ShutdownSignals: Sendable {
    private struct State {
        var first: Int32?
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    /// The process's one instance, installed on first use.
    private static let shared = Mutex<ShutdownSignals?>(nil)

    /// Installs the handlers once per process (ignoring the default action, so that a signal is
    /// only ever recorded) and returns the instance.
    static func install() -> ShutdownSignals {
        shared.withLock { shared in
            if let shared { return shared }
            let signals = ShutdownSignals()
            for number in [SIGTERM, SIGINT] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                // The handler holds its source: the two stay alive (installed) for the life of the process.
                source.setEventHandler { [source] in
                    _ = source
                    signals.deliver(number)
                }
                source.resume()
            }
            shared = signals
            return signals
        }
    }

    /// Gives SIGTERM and SIGINT their default action back (for the commands that are not
    /// long-running); one that already arrived is raised again, so the process ends as it would have.
    func restoreDefaultAction() {
        for number in [SIGTERM, SIGINT] { signal(number, SIG_DFL) }
        if let first = state.withLock({ $0.first }) { raise(first) }
    }

    /// Whether a signal has arrived.
    var received: Bool { state.withLock { $0.first != nil } }

    /// Returns once a signal has arrived (at once when one already has), or when the task is
    /// cancelled.
    func wait() async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.first != nil || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    private func deliver(_ number: Int32) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if state.first == nil { state.first = number }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }
}

import BerrysRuntime
import Dispatch
import Logging
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How the long-running commands (`run`, `worker`, `project`, `serve`) start and stop: one
/// `ServiceGroup` from the start, whose first service sets the process up (connects, migrates,
/// opens the log: `SystemAssembly`) inside it and then runs what it built; SIGTERM and SIGINT,
/// caught from the first line of the command (`CommandMain`), always end in a graceful
/// shutdown with exit 0.
///
/// A signal during set-up cancels it; the command then ends with exit 0 without starting the
/// services (nothing was acquired yet). A signal after it triggers the group's graceful
/// shutdown. Before, set-up ran outside the group, whose handlers came only when it started:
/// a SIGTERM in that window (0.1–0.5 s, longer while a server is down) killed the process with
/// exit 143, leases and all. The fault runner hit it.
public enum ServiceRun {
    /// Runs `setUp` and then the services it returns, in one group, until they end or `signals`
    /// ask them to stop.
    public static func run(signals: ShutdownSignals, loggerLabel: String,
                           _ setUp: @escaping @Sendable () async throws -> [any Service]) async throws {
        // The logs' level and format first: the loggers made here and in the group's services
        // take the handler of their moment.
        let settings = try Settings.load()
        LoggingSetup.bootstrap(level: settings.logLevel, format: settings.logFormat)
        let logger = Logger(label: loggerLabel)
        // Every long-running process measures its own stalls (berrys_runtime_stall_seconds).
        let detector = StallDetector(clock: ContinuousClock(), logger: logger)
        let group = ServiceGroup(configuration: .named([SetUpThenRun(setUp: setUp, logger: logger), detector], logger: logger))
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

/// Sets the process up inside the service group, then runs the services it built in a group of
/// their own (which follows the outer group's graceful shutdown). Ends the outer group when it
/// ends (a failure, or the services' own end).
struct SetUpThenRun: Service {
    let setUp: @Sendable () async throws -> [any Service]
    let logger: Logger

    func run() async throws {
        let services: [any Service]
        do {
            services = try await cancelWhenGracefulShutdown { try await setUp() }
        } catch is CancellationError {
            logger.notice("stopped by a signal while starting")
            return
        }
        try await ServiceGroup(configuration: .named(services, logger: logger)).run()
    }
}

/// SIGTERM and SIGINT, caught: the first one is remembered, and everyone waiting is woken.
/// `CommandMain` installs them once, before parsing the command line, and hands them to the
/// long-running command.
public final class ShutdownSignals: Sendable {
    private let first = Mutex<Int32?>(nil)
    private let arrived = StopSignal()

    /// Installs the handlers (ignoring the default action, so that a signal is only ever
    /// recorded) and returns the instance. Call once per process.
    static func install() -> ShutdownSignals {
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
        return signals
    }

    /// Gives SIGTERM and SIGINT their default action back (for the commands that are not
    /// long-running); one that already arrived is raised again, so the process ends as it would have.
    func restoreDefaultAction() {
        for number in [SIGTERM, SIGINT] { signal(number, SIG_DFL) }
        if let first = first.withLock({ $0 }) { raise(first) }
    }

    /// Whether a signal has arrived.
    var received: Bool { arrived.isRaised }

    /// Returns once a signal has arrived (at once when one already has), or when the task is
    /// cancelled.
    func wait() async { await arrived.wait() }

    private func deliver(_ number: Int32) {
        first.withLock { $0 = $0 ?? number }
        arrived.raise()
    }
}

import BerrysFoundation
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Measures how late its own wake-ups are and reports them: the histogram
/// `berrys_runtime_stall_seconds{probe}` and a warning naming each stall's length.
///
/// Two probes tell where a stall comes from:
/// - `task`: a task on Swift's cooperative pool, sleeping on the injected clock. It is late
///   when every cooperative thread is busy or blocked (a synchronous call, a lock held across a
///   wait: ours to fix) or when the process does not run at all.
/// - `thread`: a thread of its own (`ThreadStallProbe`), sleeping with the operating system.
///   It is late only when the process does not get the CPU (the machine is overloaded, the
///   process was stopped, memory is swapped).
///
/// A `task` stall without a `thread` stall is ours; both together point at the machine.
public struct StallDetector<C: Clock>: Service where C.Duration == Duration {
    /// Which probe woke late.
    public enum Probe: String, Sendable {
        /// A task on the cooperative pool, sleeping on the injected clock.
        case task
        /// A thread of its own, sleeping with the operating system.
        case thread
    }

    /// One stall, as reported to `onStall` (besides the log and the histogram).
    public struct Stall: Sendable {
        public var probe: Probe
        public var lateness: Duration
    }

    let clock: C
    let interval: Duration
    let warnAt: Duration
    let logger: Logger
    let onStall: (@Sendable (Stall) -> Void)?
    let taskLateness = Metrics.Timer(label: "berrys_runtime_stall_seconds", dimensions: [("probe", "task")],
                                     preferredDisplayUnit: .seconds)
    let threadLateness = Metrics.Timer(label: "berrys_runtime_stall_seconds", dimensions: [("probe", "thread")],
                                       preferredDisplayUnit: .seconds)

    /// - Parameters:
    ///   - clock: the task probe's clock (a manual one in tests).
    ///   - interval: time between wake-ups.
    ///   - warnAt: lateness that counts as a stall and is logged.
    ///   - onStall: also told of every stall (the test suite writes them to a file).
    public init(clock: C, interval: Duration = .milliseconds(100), warnAt: Duration = .milliseconds(250),
                logger: Logger, onStall: (@Sendable (Stall) -> Void)? = nil) {
        self.clock = clock
        self.interval = interval
        self.warnAt = warnAt
        self.logger = logger
        self.onStall = onStall
    }

    public func run() async throws {
        let threadProbe = ThreadStallProbe(interval: interval, warnAt: warnAt) { report(probe: .thread, $0) }
        defer { threadProbe.stop() }
        // Ends with the graceful shutdown (the sleep is cancelled), not by an error.
        try? await cancelWhenGracefulShutdown { try await probeTasks() }
    }

    /// The task probe: sleeps `interval` on the clock, again and again, until cancelled.
    func probeTasks() async throws {
        var probe = StallProbe(start: clock.now, interval: interval, warnAt: warnAt)
        while true {
            try await clock.sleep(until: probe.due, tolerance: nil)
            report(probe: .task, probe.woke(at: clock.now))
        }
    }

    private func report(probe: Probe, _ wake: StallWake) {
        let lateness = wake.lateness
        (probe == .task ? taskLateness : threadLateness).recordNanoseconds(Int64(lateness.inSeconds * 1e9))
        guard wake.isStall else { return }
        logger.warning("stall: the \(probe.rawValue) probe woke \(String(format: "%.3f", lateness.inSeconds)) s late",
                       metadata: ["probe": "\(probe.rawValue)", "stall_seconds": "\(lateness.inSeconds)"])
        onStall?(Stall(probe: probe, lateness: lateness))
    }
}

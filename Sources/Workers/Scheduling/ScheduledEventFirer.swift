import BerrysFoundation
import EventLog
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Appends held events when they are due (`EventLog.schedule`, `berrys_fire`), on every
/// partition: a `Service` of `berrys run` and `berrys worker`. Several processes may run it at
/// once: each event is appended exactly once, since one atomic call appends it and releases
/// it. Events due while no process ran are appended by the first round after a start.
public struct ScheduledEventFirer: Service {
    let log: EventLog
    let pacing: FirePacing
    let logger: Logger
    /// Events taken per partition and call.
    static let perCall = 500

    public init(log: EventLog, pacing: FirePacing = FirePacing(), logger: Logger) {
        self.log = log
        self.pacing = pacing
        self.logger = logger
    }

    public func run() async throws {
        let fired = Counter(label: "berrys_scheduled_events_fired_total")
        let failed = Counter(label: "berrys_scheduled_events_failed_total")
        // Redis down: the round is tried again with backoff, never given up.
        let retry = RetryLoop(backoff: .reconnect, budget: .unlimited)
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let outcome = try? await retry.run(
                    isRetryable: { _ in !Task.isCancelled },
                    onRetry: { error, delay in
                        logger.warning("scheduled events not fired (\(error)); retrying in \(String(format: "%.2f", delay)) s")
                    }
                ) { try await round() }
                guard let (nextDue, more, rounds) = outcome else { continue }
                fired.increment(by: rounds.fired)
                failed.increment(by: rounds.failed)
                if rounds.failed > 0 {
                    logger.error("\(rounds.failed) scheduled events could not be appended when due; see <ns>:schedule-failed:{p}")
                }
                let pause = pacing.pause(nextDue: nextDue, more: more, now: Date())
                if pause > 0 { try await Task.sleep(for: .milliseconds(Int(pause * 1000))) }
            }
        }
    }

    /// One call per partition: what is due, the soonest event left, whether more are due.
    private func round() async throws -> (Date?, Bool, (fired: Int, failed: Int)) {
        var soonest: Date?
        var more = false
        var totals = (fired: 0, failed: 0)
        for partition in 0..<log.partitioner.partitions {
            let round = try await log.fireDue(partition: partition, max: Self.perCall)
            totals.fired += round.fired
            totals.failed += round.failed
            if round.fired + round.failed == Self.perCall { more = true }
            if let next = round.nextDue { soonest = min(soonest ?? next, next) }
        }
        return (soonest, more, totals)
    }
}

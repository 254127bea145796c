import BerrysFoundation
import BerrysRuntime
import EventLog
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Appends held events when they are due (`EventLog.schedule`, `berrys_fire`): a `Service` of
/// `berrys run` and `berrys worker`. The processes that run it share the partitions on the
/// ownership runtime (leases `<ns>:lease:_firer:{p}`), so each partition is fired by its owner
/// alone, paced by its own soonest event (`FirePacing`). Each event is appended exactly once
/// in any case (one atomic call appends it and releases it). Events due while no process ran
/// are appended by the first call after a start; after a kill -9, the dead process's
/// partitions wait for its leases to expire (`lease`).
public struct ScheduledEventFirer: Service {
    /// The owner name of the firer's leases (worker names cannot start with `_`).
    public static let owner = "_firer"
    /// Events taken per partition and call.
    static let perCall = 500

    let log: EventLog
    let pacing: FirePacing
    let holder: String
    let lease: Duration
    let logger: Logger

    /// - Parameters:
    ///   - holder: this process's name in the leases (unique per process).
    ///   - lease: how long a partition of a process that died waits before another fires it.
    public init(log: EventLog, pacing: FirePacing = FirePacing(), holder: String = WorkerRuntime.defaultConsumerName(),
                lease: Duration = .seconds(10), logger: Logger) {
        self.log = log
        self.pacing = pacing
        self.holder = holder
        self.lease = lease
        self.logger = logger
    }

    public func run() async throws {
        let runtime = log.ownership(of: Self.owner, holder: holder, lease: lease, name: "scheduled-event firer", logger: logger)
        let metrics = (fired: Counter(label: "berrys_scheduled_events_fired_total"), failed: Counter(label: "berrys_scheduled_events_failed_total"))
        await runtime.runUntilGracefulShutdown { partition, stop in await fire(partition, until: stop, metrics: metrics) }
    }

    /// Fires `partition` until `stop`; Redis down: tried again with backoff, never given up.
    private func fire(_ partition: Int, until stop: StopSignal, metrics: (fired: Counter, failed: Counter)) async {
        var failures = 0
        while !stop.isRaised && !Task.isCancelled {
            let pause: Duration
            do {
                let round = try await log.fireDue(partition: partition, max: Self.perCall)
                failures = 0
                metrics.fired.increment(by: round.fired)
                metrics.failed.increment(by: round.failed)
                if round.failed > 0 {
                    logger.error("\(round.failed) scheduled events could not be appended when due; see <ns>:schedule-failed:{\(partition)}")
                }
                pause = pacing.pause(nextDue: round.nextDue, more: round.fired + round.failed == Self.perCall, now: log.clock.date)
            } catch {
                failures += 1
                pause = Backoff.reconnect.delay(attempt: failures - 1)
                logger.warning("partition \(partition): scheduled events not fired (\(error)); trying again in \(pause.secondsText)")
            }
            await stop.sleep(for: pause, on: log.clock)
        }
    }
}

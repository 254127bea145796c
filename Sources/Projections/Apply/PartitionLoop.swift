import EventLog
import Foundation
import Metrics

/// One projection version on one partition, followed live.
struct PartitionLoop {
    let log: EventLog
    let applier: PartitionApplier
    let start: StreamID

    /// How a partition's loop ended.
    enum Ending: Sendable, Equatable {
        /// A handler failed on an event: the version is faulted.
        case faulted
        /// Stopped, cancelled, or the lease found lost.
        case ended
    }

    /// Follows the partition until cancelled, a fault, or the lease found lost.
    func run() async throws -> Ending {
        let definition = applier.batch.definition
        let partition = applier.partition
        let log = log
        let blocking = log.makeBlockingConnection(partition: partition)
        let applied = Counter(label: "berrys_projection_events_applied_total", dimensions: [("projection", definition.name)])
        let lag = Gauge(label: "berrys_projection_lag_seconds", dimensions: [("projection", definition.name), ("partition", String(partition))])
        // Wait for the next entry; it is read (and checked) by the next step.
        let mode = PartitionApplier.Mode.follow { after in
            _ = try? await log.follow(partition: partition, after: after, count: 1, block: .milliseconds(500), upcast: false, on: blocking)
        }
        let ending = try await applier.run(from: start, mode: mode) { step in
            switch step {
            case .nothingNew:
                lag.record(0)
            case .applied(let through, _, let events):
                applied.increment(by: events)
                // The age of the newest applied entry: how far behind the log this partition is.
                lag.record(max(0, log.clock.date.timeIntervalSince1970 - Double(through.milliseconds) / 1000))
            case .faulted, .checkpointMoved, .leaseLost:
                break
            }
        }
        if case .faulted = ending { return .faulted }
        return .ended
    }
}

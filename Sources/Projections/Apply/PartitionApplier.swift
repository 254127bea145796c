import EventLog
import Logging
import PostgresClient

/// Applies one projection version to one partition, batch after batch from a checkpoint: the
/// one apply loop of the live projector (`follow`) and of rebuilds (`untilHead`).
///
/// Each step reads a batch after the position reached, plans it (`BatchPlan`), applies it with
/// its checkpoint in one transaction (`BatchApplier`), and records a fault in the catalog. The
/// exactly-once rule lives here and in `BatchApplier`, nowhere else.
struct PartitionApplier: Sendable {
    /// How long the loop goes on.
    enum Mode: Sendable {
        /// Until a read finds nothing new (a rebuild).
        case untilHead
        /// For as long as the task runs; when nothing is new, `waitForMore` is called with the
        /// position reached (the live projector blocks on the stream there).
        case follow(waitForMore: @Sendable (StreamID) async -> Void)
    }

    /// What one step came to.
    enum Step: Sendable, Equatable {
        /// The checkpoint moved `through` a batch of `entries` stream entries, `events` of them applied.
        case applied(through: StreamID, entries: Int, events: Int)
        /// The read after the checkpoint found nothing.
        case nothingNew
        /// Another projector had applied the range first; the loop goes on from its checkpoint.
        case checkpointMoved(to: StreamID)
        /// A handler failed or an entry is not an event; recorded in the catalog, the loop ends.
        case faulted(message: String)
        /// The partition's lease is no longer this process's; nothing was committed, the loop ends.
        case leaseLost
    }

    /// How a run ended.
    enum Ending: Sendable, Equatable {
        /// `untilHead`: a read found nothing new.
        case reachedHead
        /// The projection version faulted (recorded in the catalog).
        case faulted(message: String)
        /// Cancelled.
        case stopped
        /// The partition's lease was lost (another process applies it now).
        case leaseLost
    }

    let source: any EventSource
    let pool: PostgresPool
    let catalog: ProjectionCatalog
    let batch: BatchApplier
    let partition: Int
    let batchSize: Int
    let logger: Logger

    private var definition: ProjectionDefinition { batch.definition }

    /// Applies from `start` until the mode's end, a fault, or cancellation.
    /// - Parameter observe: told of each step before the loop goes on (metrics, progress).
    func run(from start: StreamID, mode: Mode, observe: (Step) async -> Void = { _ in }) async throws -> Ending {
        var after = start
        while !Task.isCancelled {
            let step = try await self.step(after: &after)
            await observe(step)
            switch step {
            case .applied, .checkpointMoved:
                continue
            case .faulted(let message):
                return .faulted(message: message)
            case .leaseLost:
                return .leaseLost
            case .nothingNew:
                guard case .follow(let waitForMore) = mode else { return .reachedHead }
                await waitForMore(after)
            }
        }
        return .stopped
    }

    /// Reads one batch after `after`, applies it, and moves `after` to where the checkpoint went.
    func step(after: inout StreamID) async throws -> Step {
        let entries = try await source.entries(partition: partition, after: after, count: batchSize)
        if entries.isEmpty { return .nothingNew }
        let plan = BatchPlan(entries, skipped: batch.skipped)
        var applied = Step.nothingNew
        if let through = plan.through {
            do {
                let from = after
                try await pool.withConnection {
                    try await batch.apply(plan.events, partition: partition, from: from, through: through, on: $0)
                }
            } catch let failure as HandlerFailure {
                return .faulted(message: try await catalog.record(failure, in: definition, logger: logger))
            } catch is CheckpointMoved {
                after = try await catalog.checkpoints(definition)[partition] ?? after
                // Routine while two projectors run side by side (the soak's run + project lost
                // this race about 200 times a second, 44 MB of warnings in 20 minutes): debug.
                logger.debug("projection \(definition.name) v\(definition.version) partition \(partition): another projector moved the checkpoint; continuing from \(after)")
                return .checkpointMoved(to: after)
            } catch is LeaseLost {
                logger.notice("projection \(definition.name) v\(definition.version) partition \(partition): lease lost, stopping")
                return .leaseLost
            }
            after = through
            applied = .applied(through: through, entries: entries.count, events: plan.events.count)
        }
        if let fault = plan.fault {
            return .faulted(message: try await catalog.record(fault, in: definition, logger: logger))
        }
        return applied
    }
}

extension ProjectionCatalog {
    /// Marks the version faulted with the event and the SQL error, and logs it; returns the message.
    @discardableResult
    func record(_ failure: HandlerFailure, in definition: ProjectionDefinition, logger: Logger) async throws -> String {
        let message = "handler \(failure.event.type) failed on event \(failure.event.id) at \(failure.event.position.map { "\($0)" } ?? "?"): \(failure.message)"
        logger.error("projection \(definition.name) v\(definition.version) faulted: \(message)")
        try await markFaulted(definition, eventID: failure.event.id, position: failure.event.position, error: message)
        return message
    }

    /// Marks the version faulted at a stream entry that is not a valid event; returns the message.
    @discardableResult
    func record(_ fault: BatchPlan.Fault, in definition: ProjectionDefinition, logger: Logger) async throws -> String {
        let message = "stream entry \(fault.position) is not a valid event (\(fault.reason)); fix the log or record a skip of it"
        logger.error("projection \(definition.name) v\(definition.version) faulted: \(message)")
        try await markFaulted(definition, eventID: nil, position: fault.position, error: message)
        return message
    }
}

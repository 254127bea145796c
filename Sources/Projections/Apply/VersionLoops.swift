import BerrysFoundation
import BerrysRuntime
import EventLog
import Logging
import PostgresClient
import Synchronization

/// One projection version in this process: the partitions it owns on the ownership runtime
/// (leases in PostgreSQL, `ProjectorLeaseStore`), each followed live by a `PartitionLoop`.
///
/// Each process aims at its fair share of the live projector processes (`LeasePlan`, as the
/// workers do). A loop taken over starts from the partition's checkpoint, and every batch is
/// fenced by the lease in its transaction, so two processes never commit to one partition:
/// after a kill -9 the others take its partitions once its leases expire, without a lost or
/// doubled event. A partition given back stops at once (each batch commits with its
/// checkpoint, so nothing in hand is lost). A fault stops every partition of the version; an
/// error of a loop stops the version and is thrown, for the projector to restart it.
struct VersionLoops {
    let log: EventLog
    let pool: PostgresPool
    /// Where the leases are renewed (`Projector.leasePool`): not behind the partitions' batches.
    let leasePool: PostgresPool
    let catalog: ProjectionCatalog
    let definition: ProjectionDefinition
    let leasing: ProjectorLeasing
    let logger: Logger

    /// Runs until `stop` (or a fault, or a loop's error, which is thrown).
    func run(stop: StopSignal) async throws {
        var applier = BatchApplier(definition: definition, registry: log.registry, clock: log.clock)
        applier.skipped = try await catalog.skippedPositions(definition)
        applier.leaseHolder = leasing.holder
        let partitions = log.partitioner.partitions
        let store = ProjectorLeaseStore(
            leases: ProjectionLeases(pool: leasePool, definition: definition, partitions: partitions, holder: leasing.holder,
                                     milliseconds: leasing.leaseMilliseconds),
            members: ProjectorMembers(pool: leasePool, holder: leasing.holder, milliseconds: leasing.leaseMilliseconds))
        let runtime = OwnershipRuntime(
            name: "projection \(definition.key)", store: store, clock: log.clock,
            settings: OwnershipSettings(leaseDuration: leasing.lease, tick: leasing.balanceInterval),
            partitions: partitions, offset: Int.random(in: 0..<max(1, partitions)), logger: logger)
        let failure = Mutex<(any Error)?>(nil)
        let batch = applier
        await runtime.run(stop: stop) { partition, partitionStop in
            // A partition that faulted or failed stops the whole version: every partition's
            // stop signal is raised and the leases are given back.
            do {
                if try await follow(partition, applier: batch, until: partitionStop) == .faulted { stop.raise() }
            } catch is CancellationError {} catch {
                failure.withLock { $0 = $0 ?? error }
                stop.raise()
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Follows `partition` from its checkpoint until `stop`, a fault, or the lease found lost.
    /// - Returns: how it ended.
    private func follow(_ partition: Int, applier: BatchApplier, until stop: StopSignal) async throws -> PartitionLoop.Ending {
        // Read once the lease is held: the previous holder's last commit is in it.
        let start = try await catalog.checkpoints(definition)[partition] ?? .zero
        let partitionApplier = PartitionApplier(source: TieredSource(log: log, pool: pool), pool: pool, catalog: catalog, batch: applier,
                                                partition: partition, batchSize: definition.batchSize, logger: logger)
        let loop = PartitionLoop(log: log, applier: partitionApplier, start: start)
        return try await withThrowingTaskGroup(of: PartitionLoop.Ending.self) { racing in
            racing.addTask { try await loop.run() }
            racing.addTask {
                await stop.wait()
                return .ended
            }
            let ending = try await racing.next() ?? .ended
            racing.cancelAll()
            return ending
        }
    }
}

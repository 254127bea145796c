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
            leases: ProjectionLeases(pool: pool, definition: definition, partitions: partitions, holder: leasing.holder,
                                     milliseconds: leasing.leaseMilliseconds),
            members: ProjectorMembers(pool: pool, holder: leasing.holder, milliseconds: leasing.leaseMilliseconds))
        let runtime = OwnershipRuntime(
            name: "projection \(definition.key)", store: store, clock: log.clock,
            settings: OwnershipSettings(leaseDuration: leasing.lease, tick: leasing.balanceInterval),
            partitions: partitions, offset: Int.random(in: 0..<max(1, partitions)), logger: logger)
        let faults = FaultFlag()
        let failure = Mutex<(any Error)?>(nil)
        let batch = applier
        await runtime.run(stop: stop) { partition, partitionStop in
            do {
                try await follow(partition, applier: batch, faults: faults, until: partitionStop)
            } catch is CancellationError {} catch {
                failure.withLock { $0 = $0 ?? error }
            }
            let faulted = await faults.raised
            if faulted || failure.withLock({ $0 != nil }) { stop.raise() }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Follows `partition` from its checkpoint until `stop`, a fault, or the lease found lost.
    private func follow(_ partition: Int, applier: BatchApplier, faults: FaultFlag, until stop: StopSignal) async throws {
        // Read once the lease is held: the previous holder's last commit is in it.
        let start = try await catalog.checkpoints(definition)[partition] ?? .zero
        let partitionApplier = PartitionApplier(source: TieredSource(log: log, pool: pool), pool: pool, catalog: catalog, batch: applier,
                                                partition: partition, batchSize: definition.batchSize, logger: logger)
        let loop = PartitionLoop(log: log, applier: partitionApplier, start: start, faults: faults)
        try await withThrowingTaskGroup(of: Void.self) { racing in
            racing.addTask { try await loop.run() }
            racing.addTask { await stop.wait() }
            try await racing.next()
            racing.cancelAll()
        }
    }
}

/// Set when one partition of a version faulted, so the others stop too.
actor FaultFlag {
    private(set) var raised = false
    func raise() { raised = true }
}

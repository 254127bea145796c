import BerrysFoundation
import EventLog
import Logging
import PostgresClient

/// The partitions of one projection version that this process holds the lease of, each
/// followed live by a `PartitionLoop`.
///
/// Every `balanceInterval` it renews its membership and its leases, stops the loops whose
/// lease was lost, and takes or gives back partitions to reach its fair share of the live
/// projector processes (`LeasePlan`, as the workers do). A loop taken over starts from the
/// partition's checkpoint, and every batch is fenced by the lease in its transaction, so two
/// processes never commit to one partition: after a kill -9 the others take its partitions
/// once its leases expire, without a lost or doubled event.
struct VersionLoops {
    let log: EventLog
    let pool: PostgresPool
    let catalog: ProjectionCatalog
    let definition: ProjectionDefinition
    let leasing: ProjectorLeasing
    let logger: Logger

    func run() async throws {
        var applier = BatchApplier(definition: definition, registry: log.registry)
        applier.skipped = try await catalog.skippedPositions(definition)
        applier.leaseHolder = leasing.holder
        let partitions = log.partitioner.partitions
        let leases = ProjectionLeases(pool: pool, definition: definition, partitions: partitions,
                                      holder: leasing.holder, milliseconds: leasing.leaseMilliseconds)
        let members = ProjectorMembers(pool: pool, holder: leasing.holder, milliseconds: leasing.leaseMilliseconds)
        let loops = PartitionTasks()
        let faults = FaultFlag()
        let offset = Int.random(in: 0..<max(1, partitions))
        var ending: (any Error)?
        do {
            while !Task.isCancelled, await !faults.raised {
                if let failure = await loops.failure { throw failure }
                try await balance(leases, members, loops, applier: applier, faults: faults, offset: offset)
                try await Task.sleep(for: leasing.balanceInterval)
            }
        } catch is CancellationError {} catch { ending = error }
        await loops.stopAll()
        // Not cancelled with this task: the next holder should not wait for the leases to expire.
        let released = Task { try? await leases.releaseAll() }
        await released.value
        if let ending { throw ending }
    }

    /// One round: membership, renewals, then take or give back toward the fair share.
    private func balance(_ leases: ProjectionLeases, _ members: ProjectorMembers, _ loops: PartitionTasks,
                         applier: BatchApplier, faults: FaultFlag, offset: Int) async throws {
        let live = try await members.heartbeat()
        var held = await loops.partitions
        for partition in try await leases.renew(held) {
            logger.notice("projection \(definition.name) v\(definition.version) partition \(partition): lease lost, stopping")
            await loops.stop(partition)
            held.remove(partition)
        }
        let plan = LeasePlan(partitions: leases.partitions, liveMembers: live, held: held,
                             free: try await leases.freePartitions(), offset: offset)
        for partition in plan.release {
            await loops.stop(partition)
            try await leases.release([partition])
        }
        var acquired: [Int] = []
        for partition in plan.acquire where try await leases.acquire(partition) { acquired.append(partition) }
        guard !acquired.isEmpty else { return }
        // Read once the leases are held: the previous holder's last commit is in them.
        let checkpoints = try await catalog.checkpoints(definition)
        for partition in acquired {
            let start = checkpoints[partition] ?? .zero
            let applier = PartitionApplier(source: TieredSource(log: log, pool: pool), pool: pool, catalog: catalog, batch: applier,
                                           partition: partition, batchSize: definition.batchSize, logger: logger)
            let loop = PartitionLoop(log: log, applier: applier, start: start, faults: faults)
            await loops.start(partition) { try await loop.run() }
        }
    }
}

/// Set when one partition of a version faulted, so the others stop too.
actor FaultFlag {
    private(set) var raised = false
    func raise() { raised = true }
}

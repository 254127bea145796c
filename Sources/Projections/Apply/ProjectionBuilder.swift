import EventLog
import Foundation
import Logging
import PostgresClient

/// How far a build is, for progress bars.
public struct BuildProgress: Sendable {
    public var applied: Int
    /// Events in the log when the build started (all partitions).
    public var total: Int
    public var eventsPerSecond: Double
    /// Checkpoint per partition.
    public var positions: [Int: StreamID]
    /// Seconds left at the current rate.
    public var secondsLeft: Double?
}

/// Builds a projection version from its checkpoints (position 0 for a new version) to the head
/// of the log in large batches, then switches it live. Resumable: its checkpoints are
/// committed with every batch, so a killed build continues where it stopped.
public struct ProjectionBuilder: Sendable {
    let log: EventLog
    let pool: PostgresPool
    let definition: ProjectionDefinition
    let batchSize: Int
    let partitionOrder: [Int]?
    let source: any EventSource
    let logger: Logger

    /// - Parameters:
    ///   - partitionOrder: apply the partitions one after another in this order (default: all
    ///     in parallel); used to prove results do not depend on the interleaving.
    ///   - source: where events come from (default: the tiered log, archive below Redis's trimmed
    ///     point; `ArchiveSource` for the archive alone).
    public init(log: EventLog, pool: PostgresPool, definition: ProjectionDefinition, batchSize: Int = 5000,
                partitionOrder: [Int]? = nil, source: (any EventSource)? = nil, logger: Logger = Logger(label: "berrys.replay")) {
        self.log = log
        self.pool = pool
        self.definition = definition
        self.batchSize = batchSize
        self.partitionOrder = partitionOrder
        self.source = source ?? TieredSource(log: log, pool: pool)
        self.logger = logger
    }

    /// Builds and switches over.
    /// - Parameter progress: called about once a second, and once at the end.
    /// - Returns: how many events were applied in this run.
    /// - Throws: `ProjectionError` `.busy` (another build or projector holds it), `.faulted`.
    @discardableResult
    public func run(progress: @escaping @Sendable (BuildProgress) -> Void = { _ in }) async throws -> Int {
        let catalog = ProjectionCatalog(pool: pool)
        let state = try await catalog.register(definition, partitions: log.partitioner.partitions)
        guard state == .building || state == .live else {
            throw ProjectionError(.busy, "\(definition.name) v\(definition.version) is \(state.rawValue): \(state == .faulted ? "fix the cause, then berrys projections resume \(definition.name)" : "bump its version to rebuild it")")
        }
        let lock = PostgresConnection(conninfo: pool.conninfo)
        let key = "berrys.build.\(definition.name).v\(definition.version)"
        guard try await lock.query("SELECT pg_try_advisory_lock(hashtext($1))", [key]).scalar == "t" else {
            throw ProjectionError(.busy, "another replay of \(definition.name) v\(definition.version) is running")
        }
        let counter = BuildCounter(total: try await totalEvents())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Progress every second while the replay runs.
                while !Task.isCancelled {
                    try? await log.clock.sleep(for: .seconds(1))
                    progress(await counter.snapshot())
                }
            }
            try await applyAll(catalog: catalog, counter: counter)
            group.cancelAll()
        }
        if state == .building {
            try await catalog.switchOver(to: definition)
            logger.info("\(definition.name) v\(definition.version) is live")
        }
        _ = try await lock.query("SELECT pg_advisory_unlock(hashtext($1))", [key])
        let final = await counter.snapshot()
        progress(final)
        return final.applied
    }

    private func totalEvents() async throws -> Int {
        var total = 0
        for partition in 0..<log.partitioner.partitions {
            total += Int(try await log.length(partition: partition))
        }
        return total
    }

    /// Every partition in parallel until each has nothing left to read.
    private func applyAll(catalog: ProjectionCatalog, counter: BuildCounter) async throws {
        let checkpoints = try await catalog.checkpoints(definition)
        var applier = BatchApplier(definition: definition, registry: log.registry, clock: log.clock)
        applier.skipped = try await catalog.skippedPositions(definition)
        let frozen = applier
        if let partitionOrder {
            for partition in partitionOrder {
                try await applyPartition(partition, from: checkpoints[partition] ?? .zero, applier: frozen, catalog: catalog, counter: counter)
            }
            return
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for partition in 0..<log.partitioner.partitions {
                let start = checkpoints[partition] ?? .zero
                group.addTask { try await applyPartition(partition, from: start, applier: frozen, catalog: catalog, counter: counter) }
            }
            try await group.waitForAll()
        }
    }

    /// One partition from `start` until there is nothing left to read.
    private func applyPartition(_ partition: Int, from start: StreamID, applier: BatchApplier, catalog: ProjectionCatalog,
                                counter: BuildCounter) async throws {
        let partitionApplier = PartitionApplier(source: source, pool: pool, catalog: catalog, batch: applier,
                                                partition: partition, batchSize: batchSize, logger: logger)
        let ending = try await partitionApplier.run(from: start, mode: .untilHead, observe: { step in
            guard case .applied(let through, let entries, _) = step else { return }
            if await counter.add(entries, partition: partition, position: through) {
                // Only plans depend on it: a failed analyze is worth a warning, not the build.
                do { try await catalog.analyze(definition) } catch { logger.warning("\(definition.name): ANALYZE failed: \(error)") }
            }
        })
        if case .faulted(let message) = ending {
            throw ProjectionError(.faulted, "\(definition.name) v\(definition.version): \(message)")
        }
    }
}

/// Counts applied events across partition tasks.
actor BuildCounter {
    private let total: Int
    private let started = Date()
    private var applied = 0
    private var positions: [Int: StreamID] = [:]
    private var analyzeSchedule = AnalyzeSchedule()

    init(total: Int) {
        self.total = total
    }

    /// - Returns: whether the projection's tables are due an `ANALYZE` (see `AnalyzeSchedule`).
    func add(_ count: Int, partition: Int, position: StreamID) -> Bool {
        applied += count
        positions[partition] = position
        return analyzeSchedule.isDue(applied: applied)
    }

    func snapshot() -> BuildProgress {
        let rate = Double(applied) / max(Date().timeIntervalSince(started), 0.001)
        let left = total > applied && rate > 0 ? Double(total - applied) / rate : nil
        return BuildProgress(applied: applied, total: total, eventsPerSecond: rate, positions: positions, secondsLeft: left)
    }
}

import EventLog
import Foundation
import Logging
import Metrics
import PostgresClient
import ServiceLifecycle

/// Keeps the live version of each projection up to date with the log: for each partition it
/// reads from the checkpoint and applies batches, each in one transaction with the checkpoint.
///
/// It runs the live versions as the catalog stored them, so a version keeps running while its
/// successor is rebuilt side by side (`berrys replay`); every two seconds it looks for
/// switch-overs, resumed projections, and loops that stopped (after an outage) and restarts
/// them. A handler error marks that projection `faulted` (event, position, SQL error) and
/// stops it; the other projections go on.
public struct Projector: Service {
    let log: EventLog
    let pool: PostgresPool
    let definitions: [ProjectionDefinition]
    let logger: Logger
    let rescanSeconds: Double

    public init(log: EventLog, pool: PostgresPool, definitions: [ProjectionDefinition],
                logger: Logger = Logger(label: "berrys.projector"), rescanSeconds: Double = 2) {
        self.log = log
        self.pool = pool
        self.definitions = definitions
        self.logger = logger
        self.rescanSeconds = rescanSeconds
    }

    public func run() async throws {
        let catalog = ProjectionCatalog(pool: pool)
        for definition in definitions {
            let state = try await catalog.register(definition, partitions: log.partitioner.partitions)
            if state == .building {
                logger.notice("\(definition.name) v\(definition.version) is not live yet: run `berrys replay \(definition.name)` to build it and switch over")
            }
        }
        let running = RunningVersions()
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let live: [ProjectionDefinition]
                do {
                    live = try await catalog.liveVersions(names: definitions.map(\.name))
                } catch let error as PostgresError where error.isTransient {
                    // PostgreSQL down, restarting or timing out: the running versions go on
                    // retrying their own batches; the catalog is read again at the next rescan.
                    logger.warning("cannot read the projection catalog, trying again in \(rescanSeconds) s: \(error)")
                    try? await Task.sleep(nanoseconds: UInt64(rescanSeconds * 1_000_000_000))
                    continue
                }
                await running.keep(only: Set(live.map(\.key)))
                for definition in live where await running.start(definition.key) {
                    let version = VersionLoops(log: log, pool: pool, catalog: catalog, definition: definition, logger: logger)
                    await running.attach(definition.key, Task {
                        defer { Task { await running.finished(definition.key) } }
                        do { try await version.run() } catch is CancellationError {} catch {
                            logger.error("projection \(definition.name) v\(definition.version) stopped: \(error); restarting")
                        }
                    })
                }
                try? await Task.sleep(nanoseconds: UInt64(rescanSeconds * 1_000_000_000))
            }
            for task in await running.cancelAll() { await task.value }
        }
    }
}

extension ProjectionDefinition {
    var key: String { "\(name) v\(version)" }
}

/// All partitions of one projection version.
struct VersionLoops {
    let log: EventLog
    let pool: PostgresPool
    let catalog: ProjectionCatalog
    let definition: ProjectionDefinition
    let logger: Logger

    func run() async throws {
        let checkpoints = try await catalog.checkpoints(definition)
        var applier = BatchApplier(definition: definition, registry: log.registry)
        applier.skipped = try await catalog.skippedPositions(definition)
        let faults = FaultFlag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for partition in 0..<log.partitioner.partitions {
                let partitionApplier = PartitionApplier(source: LogSource(log: log), pool: pool, catalog: catalog, batch: applier,
                                                        partition: partition, batchSize: definition.batchSize, logger: logger)
                let loop = PartitionLoop(log: log, applier: partitionApplier, start: checkpoints[partition] ?? .zero, faults: faults)
                group.addTask { try await loop.run() }
            }
            try await group.waitForAll()
        }
    }
}

/// Set when one partition of a version faulted, so the others stop too.
actor FaultFlag {
    private(set) var raised = false
    func raise() { raised = true }
}

/// One projection version on one partition, followed live.
struct PartitionLoop {
    let log: EventLog
    let applier: PartitionApplier
    let start: StreamID
    let faults: FaultFlag

    func run() async throws {
        let definition = applier.batch.definition
        let partition = applier.partition
        let log = log
        let blocking = log.makeBlockingConnection(partition: partition)
        let applied = Counter(label: "berrys_projection_events_applied_total", dimensions: [("projection", definition.name)])
        let lag = Gauge(label: "berrys_projection_lag_seconds", dimensions: [("projection", definition.name), ("partition", String(partition))])
        let faults = faults
        // Wait for the next entry; it is read (and checked) by the next step.
        let mode = PartitionApplier.Mode.follow { after in
            _ = try? await log.follow(partition: partition, after: after, count: 1, blockMilliseconds: 500, upcast: false, on: blocking)
        }
        let ending = try await applier.run(from: start, mode: mode, shouldStop: { await faults.raised }) { step in
            switch step {
            case .nothingNew:
                lag.record(0)
            case .applied(let through, _, let events):
                applied.increment(by: events)
                // The age of the newest applied entry: how far behind the log this partition is.
                lag.record(max(0, Date().timeIntervalSince1970 - Double(through.milliseconds) / 1000))
            case .faulted, .checkpointMoved:
                break
            }
        }
        if case .faulted = ending { await faults.raise() }
    }
}

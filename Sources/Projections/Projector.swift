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
            if state == "building" {
                logger.notice("\(definition.name) v\(definition.version) is not live yet: run `berrys replay \(definition.name)` to build it and switch over")
            }
        }
        let running = RunningVersions()
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let live = try await catalog.liveVersions(names: definitions.map(\.name))
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

/// The versions this process is projecting, with their tasks.
actor RunningVersions {
    private var tasks: [String: Task<Void, Never>] = [:]
    private var starting: Set<String> = []

    /// Claims `key` for starting; false when it already runs.
    func start(_ key: String) -> Bool {
        guard tasks[key] == nil, !starting.contains(key) else { return false }
        starting.insert(key)
        return true
    }

    func attach(_ key: String, _ task: Task<Void, Never>) {
        starting.remove(key)
        tasks[key] = task
    }

    func finished(_ key: String) { tasks[key] = nil }

    /// Cancels versions that are no longer live.
    func keep(only keys: Set<String>) {
        for (key, task) in tasks where !keys.contains(key) {
            task.cancel()
            tasks[key] = nil
        }
    }

    /// Cancels every version and returns the tasks, to wait for them.
    func cancelAll() -> [Task<Void, Never>] {
        let all = Array(tasks.values)
        all.forEach { $0.cancel() }
        tasks.removeAll()
        return all
    }
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
                let loop = PartitionLoop(log: log, pool: pool, catalog: catalog, applier: applier, partition: partition,
                                         start: checkpoints[partition] ?? .zero, faults: faults, logger: logger)
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

/// One projection version on one partition.
struct PartitionLoop {
    let log: EventLog
    let pool: PostgresPool
    let catalog: ProjectionCatalog
    let applier: BatchApplier
    let partition: Int
    let start: StreamID
    let faults: FaultFlag
    let logger: Logger

    func run() async throws {
        let definition = applier.definition
        let blocking = log.makeBlockingConnection()
        let applied = Counter(label: "berrys_projection_events_applied_total", dimensions: [("projection", definition.name)])
        let lag = Gauge(label: "berrys_projection_lag_seconds", dimensions: [("projection", definition.name), ("partition", String(partition))])
        var after = start
        while !Task.isCancelled, await !faults.raised {
            let entries = try await log.readEntries(partition: partition, after: after, count: definition.batchSize)
            if entries.isEmpty {
                lag.record(0)
                // Wait for the next entry; it is read (and checked) at the top of the loop.
                _ = try? await log.follow(partition: partition, after: after, count: 1, blockMilliseconds: 500, upcast: false, on: blocking)
                continue
            }
            let plan = BatchPlan(entries, skipped: applier.skipped)
            if let through = plan.through {
                do {
                    let from = after
                    try await pool.withConnection {
                        try await applier.apply(plan.events, partition: partition, from: from, through: through, on: $0)
                    }
                } catch let failure as HandlerFailure {
                    await faults.raise()
                    try await catalog.record(failure, in: definition, logger: logger)
                    return
                } catch is CheckpointMoved {
                    after = try await catalog.checkpoints(definition)[partition] ?? after
                    logger.warning("projection \(definition.name) v\(definition.version) partition \(partition): another projector moved the checkpoint; continuing from \(after)")
                    continue
                }
                after = through
                applied.increment(by: plan.events.count)
                // The age of the newest applied entry: how far behind the log this partition is.
                lag.record(max(0, Date().timeIntervalSince1970 - Double(through.milliseconds) / 1000))
            }
            if let fault = plan.fault {
                await faults.raise()
                try await catalog.record(fault, in: definition, logger: logger)
                return
            }
        }
    }
}

extension ProjectionCatalog {
    /// Marks the version faulted with the event and the SQL error, and logs it.
    func record(_ failure: HandlerFailure, in definition: ProjectionDefinition, logger: Logger) async throws {
        let message = "handler \(failure.event.type) failed on event \(failure.event.id) at \(failure.event.position.map { "\($0)" } ?? "?"): \(failure.message)"
        logger.error("projection \(definition.name) v\(definition.version) faulted: \(message)")
        try await markFaulted(definition, eventID: failure.event.id, position: failure.event.position, error: message)
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

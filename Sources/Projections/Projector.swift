import EventLog
import Logging
import PostgresClient
import ServiceLifecycle

/// Keeps projections up to date with the log: for each projection and partition, reads from
/// its checkpoint and applies batches, each in one transaction with the checkpoint.
///
/// A handler error marks that projection `faulted` (with the event and the SQL error) and
/// stops it; the other projections go on.
public struct Projector: Service {
    let log: EventLog
    let pool: PostgresPool
    let definitions: [ProjectionDefinition]
    let logger: Logger

    /// - Parameters:
    ///   - pool: PostgreSQL connections; one per partition loop is used while applying.
    public init(log: EventLog, pool: PostgresPool, definitions: [ProjectionDefinition],
                logger: Logger = Logger(label: "berrys.projector")) {
        self.log = log
        self.pool = pool
        self.definitions = definitions
        self.logger = logger
    }

    public func run() async throws {
        let catalog = ProjectionCatalog(pool: pool)
        var states: [String: String] = [:]
        for definition in definitions {
            states[definition.name] = try await catalog.register(definition, partitions: log.partitioner.partitions)
        }
        let running = definitions.filter { states[$0.name] != "faulted" }
        let faults = FaultedProjections()
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for definition in running {
                    let checkpoints = try await catalog.checkpoints(definition)
                    for partition in 0..<log.partitioner.partitions {
                        let loop = PartitionLoop(log: log, pool: pool, catalog: catalog, definition: definition, partition: partition,
                                                 start: checkpoints[partition] ?? .zero, faults: faults, logger: logger)
                        group.addTask { try await loop.run() }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}

/// The projections that faulted in this process, so their other partitions stop too.
actor FaultedProjections {
    private var names: Set<String> = []
    func add(_ name: String) { names.insert(name) }
    func contains(_ name: String) -> Bool { names.contains(name) }
}

/// One projection version on one partition.
struct PartitionLoop {
    let log: EventLog
    let pool: PostgresPool
    let catalog: ProjectionCatalog
    let definition: ProjectionDefinition
    let partition: Int
    let start: StreamID
    let faults: FaultedProjections
    let logger: Logger

    func run() async throws {
        let applier = BatchApplier(definition: definition, registry: log.registry)
        let blocking = log.makeBlockingConnection()
        var after = start
        while !Task.isCancelled, await !faults.contains(definition.name) {
            var events = try await log.read(partition: partition, after: after, count: definition.batchSize, upcast: false)
            if events.isEmpty {
                events = try await log.follow(partition: partition, after: after, count: definition.batchSize,
                                              blockMilliseconds: 500, upcast: false, on: blocking)
            }
            guard let last = events.last?.position else { continue }
            do {
                try await pool.withConnection { try await applier.apply(events, partition: partition, on: $0) }
            } catch let failure as HandlerFailure {
                await faults.add(definition.name)
                let message = "handler \(failure.event.type) failed on event \(failure.event.id) at \(failure.event.position.map { "\($0)" } ?? "?"): \(failure.message)"
                logger.error("projection \(definition.name) v\(definition.version) faulted: \(message)")
                try await catalog.markFaulted(definition, eventID: failure.event.id, position: failure.event.position, error: message)
                return
            }
            after = last.streamID
        }
    }
}

import BerrysRuntime
import EventLog
import Foundation
import Logging
import Metrics
import PostgresClient
import ServiceLifecycle

/// Keeps the live version of each projection up to date with the log: for each partition it
/// reads from the checkpoint and applies batches, each in one transaction with the checkpoint.
///
/// Several projector processes, on any machines, share each version's partitions through
/// leases in PostgreSQL (`VersionLoops`): each applies its fair share, a batch commits only
/// under its partition's lease, and the partitions of a process that stopped move to the
/// others (at once after a graceful stop, after `leasing.lease` after a kill).
///
/// It runs the live versions as the catalog stored them, so a version keeps running while its
/// successor is rebuilt side by side (`berrys replay`); every two seconds it looks for
/// switch-overs, resumed projections, and versions that stopped (after an outage) and restarts
/// them. A handler error marks that projection `faulted` (event, position, SQL error) and
/// stops it; the other projections go on. Each version is a child task of one task group,
/// stopped by its own stop signal; a graceful shutdown stops them all, and they give their
/// leases back.
public struct Projector: Service {
    let log: EventLog
    let pool: PostgresPool
    /// The leases' and membership's own connections, apart from `pool`: renewals never wait
    /// behind the batches they protect. Measured (a hog run of the suite, 2026-12-07): on one
    /// shared pool of 8, with 28 partition loops applying, one renewal round waited over the
    /// 10 s lease, all seven projections of the process lost every lease at once, and a
    /// read-your-writes read waited 30 s for the partitions to be taken again.
    let leasePool: PostgresPool
    let definitions: [ProjectionDefinition]
    let logger: Logger
    let rescanInterval: Duration
    let leasing: ProjectorLeasing

    public init(log: EventLog, pool: PostgresPool, definitions: [ProjectionDefinition],
                logger: Logger = Logger(label: "berrys.projector"), rescanInterval: Duration = .seconds(2),
                leasing: ProjectorLeasing = ProjectorLeasing()) {
        self.log = log
        self.pool = pool
        self.leasePool = PostgresPool(conninfo: pool.conninfo, size: 2)
        self.definitions = definitions
        self.logger = logger
        self.rescanInterval = rescanInterval
        self.leasing = leasing
    }

    public func run() async throws {
        let catalog = ProjectionCatalog(pool: pool)
        for definition in definitions {
            let state = try await catalog.register(definition, partitions: log.partitioner.partitions)
            if state == .building {
                logger.notice("\(definition.name) v\(definition.version) is not live yet: run `berrys replay \(definition.name)` to build it and switch over")
            }
        }
        let stop = StopSignal()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                var versions = RunningVersions()
                while !stop.isRaised && !Task.isCancelled {
                    await rescan(catalog, &versions, &group)
                    await stop.sleep(for: rescanInterval, on: log.clock)
                }
                versions.stopAll()
                await group.waitForAll()
            }
        } onGracefulShutdown: {
            stop.raise()
        }
        // The others take a larger share at once. In a task of its own, awaited: also when this
        // one was cancelled, whose queries would be refused.
        let members = ProjectorMembers(pool: leasePool, holder: leasing.holder, milliseconds: leasing.leaseMilliseconds)
        await Task { try? await members.leave() }.value
    }

    /// Starts the live versions that do not run here, stops those no longer live.
    private func rescan(_ catalog: ProjectionCatalog, _ versions: inout RunningVersions, _ group: inout TaskGroup<Void>) async {
        let live: [ProjectionDefinition]
        do {
            // A projection being replaced keeps running until its replacements took it over.
            live = try await catalog.liveVersions(names: definitions.map(\.name) + definitions.flatMap(\.replaces))
        } catch {
            // PostgreSQL down, restarting or timing out: the running versions go on retrying
            // their own batches; the catalog is read again at the next rescan.
            logger.warning("cannot read the projection catalog, trying again in \(rescanInterval.secondsText): \(error)")
            return
        }
        versions.forgetEnded()
        versions.stop(allBut: Set(live.map(\.key)))
        for definition in live {
            guard let stop = versions.start(definition.key) else { continue }
            let version = VersionLoops(log: log, pool: pool, leasePool: leasePool, catalog: catalog, definition: definition,
                                       leasing: leasing, logger: logger)
            let ended = versions.ended, logger = logger
            group.addTask {
                do { try await version.run(stop: stop) } catch {
                    logger.error("projection \(definition.key) stopped: \(error); restarting")
                }
                ended.insert(stop)
            }
        }
    }
}

extension ProjectionDefinition {
    var key: String { "\(name) v\(version)" }
}

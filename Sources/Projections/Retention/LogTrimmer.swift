import BerrysFoundation
import BerrysRuntime
import EventLog
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Keeps each partition's Redis stream within the retention policy (`BERRYS_RETENTION`),
/// never removing an entry the archive has not stored or a consumer group still needs
/// (`TrimPlan`). A `Service` of `berrys run` and `berrys project`: the processes that run it
/// share the partitions on the ownership runtime (leases `<ns>:lease:_trimmer:{p}`), so each
/// partition is trimmed by its owner alone. `berrys log trim` runs one round over every
/// partition. Trimming stays safe with several trimmers at once all the same: each removes
/// only what is safe by what it read, readers only move forward, and the watermark only rises
/// (`TrimFunction`).
public struct LogTrimmer: Service {
    /// The projection whose live checkpoints say what PostgreSQL has stored.
    public static let archiveProjection = "archive"
    /// The owner name of the trimmer's leases (worker names cannot start with `_`).
    public static let owner = "_trimmer"
    /// Entries removed per `berrys_trim` call: each call blocks Redis while it runs (about 1 ms
    /// for 1000 entries), so a long backlog goes in many short steps.
    static let entriesPerCall = 1000

    let log: EventLog
    let catalog: ProjectionCatalog
    let policy: RetentionPolicy
    let interval: Duration
    let holder: String
    let lease: Duration
    let logger: Logger

    /// - Parameters:
    ///   - interval: the pause between rounds of a partition.
    ///   - holder: this process's name in the leases (unique per process).
    ///   - lease: how long a partition of a process that died waits before another trims it.
    public init(log: EventLog, catalog: ProjectionCatalog, policy: RetentionPolicy, interval: Duration = .seconds(2),
                holder: String = ProjectorLeasing.defaultHolder(), lease: Duration = .seconds(10),
                logger: Logger = Logger(label: "berrys.trimmer")) {
        self.log = log
        self.catalog = catalog
        self.policy = policy
        self.interval = interval
        self.holder = holder
        self.lease = lease
        self.logger = logger
    }

    /// Trims the partitions this process owns every `interval` until a graceful shutdown; a
    /// failed round is logged and the next one tries again (the log is only ever trimmed less,
    /// never wrongly).
    public func run() async throws {
        guard policy != .keepAll else {
            try? await gracefulShutdown()
            return
        }
        logger.info("retention \(policy): trimming every \(interval)")
        let runtime = log.ownership(of: Self.owner, holder: holder, lease: lease, name: "log trimmer", logger: logger)
        await runtime.runUntilGracefulShutdown { partition, stop in await trimRounds(partition, until: stop) }
    }

    /// Trims `partition` every `interval` until `stop`.
    private func trimRounds(_ partition: Int, until stop: StopSignal) async {
        var held: [Int: String] = [:]
        while !stop.isRaised && !Task.isCancelled {
            do {
                let archived = try await catalog.liveCheckpoints(projection: Self.archiveProjection)
                let report = try await trim(partition: partition, archived: archived[partition], dryRun: false)
                Gauge(label: "berrys_redis_used_memory_bytes").record(try await log.redisUsedMemory())
                reportHeld([report], previously: &held)
            } catch is CancellationError {
                return
            } catch {
                logger.warning("partition \(partition): trim round failed (retrying in \(interval)): \(error)")
                Counter(label: "berrys_log_trim_failures_total").increment()
            }
            await stop.sleep(for: interval, on: log.clock)
        }
    }

    /// One round over every partition.
    /// - Parameter dryRun: only report what would go and what holds it back.
    public func round(dryRun: Bool = false) async throws -> [PartitionTrimReport] {
        let archived = try await catalog.liveCheckpoints(projection: Self.archiveProjection)
        var reports: [PartitionTrimReport] = []
        for partition in 0..<log.partitioner.partitions {
            reports.append(try await trim(partition: partition, archived: archived[partition], dryRun: dryRun))
        }
        Gauge(label: "berrys_redis_used_memory_bytes").record(try await log.redisUsedMemory())
        return reports
    }

    private func trim(partition: Int, archived: StreamID?, dryRun: Bool) async throws -> PartitionTrimReport {
        let groups = try await log.consumerGroups(partition: partition)
        func plan(_ state: TrimResult) -> TrimPlan {
            TrimPlan(policy: policy, length: state.length, firstEntry: state.firstEntry,
                     nowMilliseconds: UInt64(log.clock.unixMilliseconds), archiveCheckpoint: archived, groups: groups)
        }
        var state = try await log.trimState(partition: partition)
        var removed = 0
        let first = plan(state)
        if !dryRun, let cap = first.cap {
            var left = first.maximumEntries ?? Int.max
            while left > 0 {
                let asked = min(left, Self.entriesPerCall)
                state = try await log.trim(partition: partition, below: cap, maximumEntries: asked)
                removed += state.removed
                left -= state.removed
                if state.removed < asked { break }
            }
        }
        let dimensions = [("partition", String(partition))]
        if removed > 0 { Counter(label: "berrys_log_trimmed_entries_total", dimensions: dimensions).increment(by: removed) }
        Gauge(label: "berrys_log_redis_entries", dimensions: dimensions).record(state.length)
        let after = plan(state)
        Gauge(label: "berrys_log_trim_held", dimensions: dimensions).record(after.isHeld ? 1 : 0)
        return PartitionTrimReport(partition: partition, removed: removed, state: state, plan: after)
    }

    /// Logs when a partition becomes held back and when it is free again (not every round).
    private func reportHeld(_ reports: [PartitionTrimReport], previously held: inout [Int: String]) {
        for report in reports {
            let reader = report.plan.lowestLimit.map { limit -> String in
                switch limit.reader {
                case .archive: return "archive"
                case .group(let name, _, _): return "group \(name)"
                }
            }
            let now = report.heldBy == nil ? nil : reader
            guard now != held[report.partition] else { continue }
            if let heldBy = report.heldBy {
                logger.warning("partition \(report.partition) is over its retention (\(policy), \(report.state.length) entries in Redis) and cannot be trimmed: held by \(heldBy)")
            } else if held[report.partition] != nil {
                logger.info("partition \(report.partition) is trimmed again")
            }
            held[report.partition] = now
        }
    }
}

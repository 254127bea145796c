import EventLog
import Foundation
import PostgresClient

/// One projection version's state and how far behind the log it is.
public struct ProjectionStatus: Sendable {
    public var name: String
    public var version: Int
    public var state: ProjectionState
    public var error: String?
    /// Checkpoint per partition.
    public var positions: [Int: StreamID]
    /// Events the log has beyond the checkpoints (all partitions), counted up to 10,000 per partition.
    public var lagEvents: Int
    /// True when a partition's count stopped at its limit (the lag is at least `lagEvents`).
    public var lagCapped: Bool
    /// Age of the oldest event not yet applied, in seconds (0 when caught up).
    public var lagSeconds: Double

    /// Every registered projection version with its lag against the log.
    public static func all(pool: PostgresPool, log: EventLog) async throws -> [ProjectionStatus] {
        let catalog = ProjectionCatalog(pool: pool)
        let rows = try await pool.query("SELECT name, version, state, error FROM berrys.projections ORDER BY name, version").rows
        var watermarks: [StreamID] = []
        for partition in 0..<log.partitioner.partitions { watermarks.append(try await log.trimWatermark(partition: partition)) }
        var result: [ProjectionStatus] = []
        for row in rows {
            guard let name = try row.text("name"), let version = try row.int("version") else { continue }
            let state = ProjectionState(stored: try row.text("state"))
            let positions = try await catalog.checkpoints(name: name, version: version)
            var lagEvents = 0
            var capped = false
            var oldest: UInt64?
            for partition in 0..<log.partitioner.partitions {
                let checkpoint = positions[partition] ?? .zero
                // Below the trimmed point the events behind are in the archive: counted there, a
                // rebuild of a trimmed log showed only what Redis kept (and its age) as its lag.
                let behind = checkpoint < watermarks[partition] && state != .retired
                    ? try await archivedCount(pool: pool, log: log, partition: partition, after: checkpoint)
                    : try await log.count(partition: partition, after: checkpoint)
                lagEvents += behind.count
                capped = capped || behind.capped
                if let first = behind.firstID { oldest = min(oldest ?? first.milliseconds, first.milliseconds) }
            }
            let lagSeconds = oldest.map { max(0, log.clock.date.timeIntervalSince1970 - Double($0) / 1000) } ?? 0
            result.append(ProjectionStatus(name: name, version: version, state: state, error: try row.text("error"),
                                           positions: positions, lagEvents: lagEvents, lagCapped: capped, lagSeconds: lagSeconds))
        }
        return result
    }

    /// Like `EventLog.count`, through the tiered log (the archive below the trimmed point).
    private static func archivedCount(pool: PostgresPool, log: EventLog, partition: Int, after: StreamID,
                                      limit: Int = 10_000) async throws -> (count: Int, firstID: StreamID?, capped: Bool) {
        let entries = try await TieredSource(log: log, pool: pool).entries(partition: partition, after: after, count: limit)
        return (entries.count, entries.first?.position?.streamID, entries.count == limit)
    }
}

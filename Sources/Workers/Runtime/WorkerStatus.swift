import EventLog
import Foundation
import RedisClient

/// What `berrys status` shows about one worker's group on one partition.
public struct GroupStatus: Sendable, Hashable {
    public let worker: String
    public let partition: Int
    /// Entries delivered and not acknowledged.
    public let pending: Int
    /// Entries not yet delivered to the group (XINFO GROUPS `lag`; nil when Redis cannot tell).
    public let lagEntries: Int?
    /// Age of the oldest entry not yet processed (pending or undelivered), in seconds.
    public let lagSeconds: Double
    public let consumers: Int
    public let deadLetters: Int
    /// The consumer holding the partition's lease, if any.
    public let leaseHolder: String?
    /// While the group catches up from the archive (`Backfill`): how far it got, and through where.
    public let catchUp: CatchUpStatus?
}

/// A group's catch-up from the archive while it lasts: every entry through `position` was
/// delivered, and the catch-up ends at `through` (the group reads Redis after it).
public struct CatchUpStatus: Sendable, Hashable {
    public let position: String
    public let through: String
}

/// What `berrys status` shows about one partition.
public struct PartitionStatus: Sendable, Hashable {
    public let partition: Int
    public let length: Int
    public let lastID: String
    /// Entries ever appended (Redis's `entries-added`), trimmed ones included.
    public let entriesAdded: Int
}

/// Reads stream and consumer-group state for `berrys status` and the lag gauges.
public struct WorkerStatusReader: Sendable {
    let redis: RedisPool
    let namespace: String
    let partitions: Int

    public init(redis: RedisPool, namespace: String, partitions: Int) {
        self.redis = redis
        self.namespace = namespace
        self.partitions = partitions
    }

    public func partitionStatuses() async throws -> [PartitionStatus] {
        var statuses: [PartitionStatus] = []
        for partition in 0..<partitions {
            let stream = LogKeys(namespace: namespace).stream(partition: partition)
            let replies = try await redis.pipeline([RedisCommand("XINFO", "STREAM", stream), RedisCommand("XREVRANGE", stream, "+", "-", "COUNT", "1")])
            // No stream yet (nothing published to the partition): an empty one.
            let info = replies[0].errorMessage == nil ? replies[0].fieldMap : [:]
            let last = replies[1].array?.first?.array?.first?.string ?? "-"
            statuses.append(PartitionStatus(partition: partition, length: Int(info["length"]?.int ?? 0), lastID: last,
                                            entriesAdded: Int(info["entries-added"]?.int ?? 0)))
        }
        return statuses
    }

    /// Every consumer group on every partition (every worker that ever ran).
    public func groupStatuses() async throws -> [GroupStatus] {
        var statuses: [GroupStatus] = []
        for partition in 0..<partitions {
            for group in try await groups(partition: partition) {
                guard let name = group["name"]?.string else { continue }
                statuses.append(try await status(of: name, partition: partition, group: group))
            }
        }
        return statuses.sorted { ($0.worker, $0.partition) < ($1.worker, $1.partition) }
    }

    /// One worker's group on one partition, or nil when the group does not exist yet.
    public func groupStatus(worker: String, partition: Int) async throws -> GroupStatus? {
        guard let group = try await groups(partition: partition).first(where: { $0["name"]?.string == worker }) else { return nil }
        return try await status(of: worker, partition: partition, group: group)
    }

    /// The groups of a partition's stream; none when the stream does not exist (yet, or any more:
    /// say, Redis restarted empty).
    private func groups(partition: Int) async throws -> [[String: RedisValue]] {
        let stream = LogKeys(namespace: namespace).stream(partition: partition)
        let reply = try await redis.pipeline([RedisCommand("XINFO", "GROUPS", stream)])[0]
        if case .error(let message) = reply {
            if message.hasPrefix("ERR no such key") { return [] }
            throw RedisError(.server, message)
        }
        return (reply.array ?? []).map(\.fieldMap)
    }

    private func status(of worker: String, partition: Int, group: [String: RedisValue]) async throws -> GroupStatus {
        let keys = WorkerKeys(namespace: namespace, worker: worker, partition: partition)
        let lastDelivered = group["last-delivered-id"]?.string ?? "0-0"
        let replies = try await redis.pipeline([
            RedisCommand("XPENDING", keys.stream, keys.group),
            RedisCommand("XRANGE", keys.stream, "(\(lastDelivered)", "+", "COUNT", "1"),
            RedisCommand("XLEN", keys.deadLetters),
            RedisCommand("GET", keys.lease),
            RedisCommand("HMGET", keys.backfill, "position", "target"),
        ])
        let oldestPending = replies[0].array?[safe: 1]?.string
        let oldestUndelivered = replies[1].array?.first?.array?.first?.string
        let catchUp = replies[4].array.flatMap { fields -> CatchUpStatus? in
            guard let position = fields[safe: 0]?.string, let target = fields[safe: 1]?.string else { return nil }
            return CatchUpStatus(position: position, through: target)
        }
        // While catching up, the entries through the target are not all processed: the lag is at least the target's age.
        let oldest = [oldestPending, oldestUndelivered, catchUp?.through].compactMap { $0 }.compactMap(Self.milliseconds).min()
        let now = Double(redis.clock.unixMilliseconds)
        return GroupStatus(worker: worker, partition: partition, pending: Int(group["pending"]?.int ?? 0),
                           lagEntries: group["lag"]?.int.map(Int.init), lagSeconds: oldest.map { max(0, (now - Double($0)) / 1000) } ?? 0,
                           consumers: Int(group["consumers"]?.int ?? 0), deadLetters: Int(replies[2].int ?? 0),
                           leaseHolder: replies[3].string, catchUp: catchUp)
    }

    static func milliseconds(_ streamID: String) -> Int64? {
        Int64(streamID.split(separator: "-").first ?? "")
    }
}

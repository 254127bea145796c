import EventLog
import Foundation
import PostgresClient
import Projections
import RedisClient

/// Where a scenario's consumers stand: the stream heads, each consumer group's progress and
/// each live projection's checkpoints. Recovery and settling are read from it.
struct FaultProbe: Sendable {
    let redis: RedisPool
    let postgres: PostgresPool
    let keys: LogKeys
    let partitions: Int
    /// The producer, whose poisons recovery does not wait for.
    var poisons: FaultLoad?

    /// One consumer group of one partition.
    struct Group: Sendable {
        let partition: Int
        let name: String
        let pending: Int
        let lastDelivered: StreamID
    }

    /// The last entry id of every partition (`0-0` for an empty one), retried for up to 60 s
    /// while Redis is down or restarting.
    func heads() async throws -> [Int: StreamID] {
        let began = Date()
        while true {
            do {
                return try await readHeads()
            } catch where Date().timeIntervalSince(began) < 60 {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    private func readHeads() async throws -> [Int: StreamID] {
        var heads: [Int: StreamID] = [:]
        for partition in 0..<partitions {
            let reply = try await redis.send("XREVRANGE", keys.stream(partition: partition), "+", "-", "COUNT", "1")
            heads[partition] = reply.array?.first?.array?.first?.string.flatMap(StreamID.init) ?? .zero
        }
        return heads
    }

    /// Every consumer group of every partition.
    func groups() async throws -> [Group] {
        var groups: [Group] = []
        for partition in 0..<partitions {
            let reply = try await redis.send("XINFO", "GROUPS", keys.stream(partition: partition))
            for group in reply.array ?? [] {
                let fields = Self.fields(group)
                guard let name = fields["name"]?.string else { continue }
                groups.append(Group(partition: partition, name: name, pending: Int(fields["pending"]?.int ?? 0),
                                    lastDelivered: fields["last-delivered-id"]?.string.flatMap(StreamID.init) ?? .zero))
            }
        }
        return groups
    }

    /// Whether a group has an entry at or before `head` pending that is not one of `ignored`
    /// ("partition/stream id").
    func hasPending(_ group: Group, upTo head: StreamID, ignoring ignored: Set<String>) async throws -> Bool {
        let reply = try await redis.send("XPENDING", keys.stream(partition: group.partition), group.name, "-", head.description, "1000")
        return (reply.array ?? []).contains { entry in
            guard let id = entry.array?.first?.string else { return false }
            return !ignored.contains("\(group.partition)/\(id)")
        }
    }

    /// The checkpoints of every live projection: name → partition → last applied entry.
    func checkpoints() async throws -> [String: [Int: StreamID]] {
        let result = try await postgres.query("""
            SELECT c.projection, c.partition, c.stream_id FROM berrys.checkpoints c
            JOIN berrys.projections p ON p.name = c.projection AND p.version = c.version WHERE p.state = \(ProjectionState.live.sql)
            """)
        var checkpoints: [String: [Int: StreamID]] = [:]
        for row in result.values {
            guard let name = row[0], let partition = row[1].flatMap({ Int($0) }), let id = row[2].flatMap(StreamID.init) else { continue }
            checkpoints[name, default: [:]][partition] = id
        }
        return checkpoints
    }

    /// Projections that are faulted, with their error.
    func faultedProjections() async throws -> [String] {
        try await postgres.query("SELECT name || ' v' || version || ': ' || coalesce(error, '') FROM berrys.projections WHERE state = \(ProjectionState.faulted.sql)")
            .values.compactMap { $0[0] }
    }

    /// Whether every group has handled everything up to `heads` (nothing at or before it still
    /// pending but the poisons, retried on purpose) and every live projection has applied it,
    /// with `expectedGroups` groups present.
    func hasPassed(_ heads: [Int: StreamID], expectedGroups: Int, projections: Int) async throws -> Bool {
        let ignored = poisons?.poisonPositions ?? []
        let groups = try await groups()
        guard groups.count >= expectedGroups else { return false }
        for group in groups {
            let head = heads[group.partition] ?? .zero
            guard group.lastDelivered >= head else { return false }
            if group.pending > 0, try await hasPending(group, upTo: head, ignoring: ignored) { return false }
        }
        let checkpoints = try await checkpoints()
        guard checkpoints.count >= projections else { return false }
        for (_, positions) in checkpoints {
            for partition in 0..<partitions where (positions[partition] ?? .zero) < (heads[partition] ?? .zero) { return false }
        }
        return true
    }

    /// Waits until `hasPassed(heads)`, polling every 50 ms; returns the seconds it took, nil
    /// after `timeout`. Failed reads (a server down) count as not passed yet.
    func waitUntilPassed(_ heads: [Int: StreamID], expectedGroups: Int, projections: Int, since start: Date,
                         timeout: Double) async -> Double? {
        while Date().timeIntervalSince(start) < timeout {
            if (try? await hasPassed(heads, expectedGroups: expectedGroups, projections: projections)) == true {
                return Date().timeIntervalSince(start)
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// A flat RESP2 `[name, value, …]` reply (or a RESP3 map) as a dictionary.
    static func fields(_ value: RedisValue) -> [String: RedisValue] {
        var fields: [String: RedisValue] = [:]
        if let array = value.array {
            var index = 0
            while index + 1 < array.count {
                if let name = array[index].string { fields[name] = array[index + 1] }
                index += 2
            }
        }
        return fields
    }
}

import BerrysJSON
import Foundation
import RedisClient

/// An event held for later, as `berrys schedule list` and the API show it.
public struct ScheduledEvent: Sendable, Hashable {
    public let id: String
    public let partition: Int
    public let deliverAt: Date
    public let type: String
    public let subject: String
}

/// What one `berrys_fire` call did on one partition.
public struct FireRound: Sendable, Hashable {
    /// Events appended.
    public let fired: Int
    /// Events that could not be appended any more (moved to `<ns>:schedule-failed:{p}`).
    public let failed: Int
    /// When the next held event is due, if any.
    public let nextDue: Date?
}

extension EventLog {
    /// Checks an event now and holds it until `at`: the log appends it once, at or after that
    /// time (`ScheduledEventFirer`), under `expected`. Its id is reserved meanwhile, so
    /// scheduling or publishing it again is a duplicate.
    /// - Returns: `scheduledFor` set, the position zero until it is appended; a duplicate when
    ///   the id is held or in the log already.
    /// - Throws: `EventLogError` as `append` would; nothing is held then.
    public func schedule(prepared envelope: EventEnvelope, at: Date, expected: ExpectedSequence = .any) async throws -> AppendResult {
        let partition = partition(of: envelope)
        var command = RedisCommand("FCALL", "berrys_schedule", "1", configuration.streamKey(partition: partition),
                                   String(Int64((at.timeIntervalSince1970 * 1000).rounded(.up))), expected.description)
        envelope.appendFields(to: &command)
        let reply = try await withRetries { try await redis.sendReturningErrors(command) }
        var result = try Self.result(of: reply, id: envelope.id, partition: partition)
        if !result.duplicate {
            result.scheduledFor = at
            result.sequence = 0
        }
        return result
    }

    /// Drops a held event and frees its id.
    /// - Parameter partitionKey: the event's partition key (or subject), when the caller knows
    ///   it: one partition is asked instead of every one.
    /// - Returns: false when no event of that id is held (appended already, cancelled, never held).
    public func cancelScheduled(id: String, partitionKey: String? = nil) async throws -> Bool {
        let partitions = partitionKey.map { [partitioner.partition(for: $0)] } ?? Array(0..<partitioner.partitions)
        for partition in partitions {
            let command = RedisCommand("FCALL", "berrys_cancel", "1", configuration.streamKey(partition: partition), id)
            let reply = try await withRetries { try await redis.sendReturningErrors(command) }
            if case .error(let message) = reply { throw Self.appendError(message) }
            if reply.int == 1 { return true }
        }
        return false
    }

    /// Appends up to `max` held events of `partition` that are due by the log's clock (its wall
    /// time: processes whose clocks disagree fire up to that disagreement early or late).
    public func fireDue(partition: Int, max: Int = 500) async throws -> FireRound {
        let command = RedisCommand("FCALL", "berrys_fire", "1", configuration.streamKey(partition: partition), String(max),
                                   String(clock.unixMilliseconds))
        let reply = try await redis.sendReturningErrors(command)
        if case .error(let message) = reply { throw Self.appendError(message) }
        guard let parts = reply.array, parts.count == 3, let fired = parts[0].int, let failed = parts[1].int, let next = parts[2].int else {
            throw EventLogError(.corruptEntry, "unexpected reply from berrys_fire: \(reply)")
        }
        return FireRound(fired: Int(fired), failed: Int(failed), nextDue: next < 0 ? nil : Date(timeIntervalSince1970: Double(next) / 1000))
    }

    /// The held events, soonest first, at most `limit` per partition.
    public func scheduledEvents(limit: Int = 100) async throws -> [ScheduledEvent] {
        var events: [ScheduledEvent] = []
        for partition in 0..<partitioner.partitions {
            let keys = LogKeys(namespace: configuration.namespace)
            let due = try await redis.send(RedisCommand("ZRANGE", keys.schedule(partition: partition), "0", String(limit - 1), "WITHSCORES"))
            let flat = (due.array ?? []).compactMap(\.string)
            let pairs = stride(from: 0, to: flat.count - 1, by: 2).map { (flat[$0], Double(flat[$0 + 1]) ?? 0) }
            guard !pairs.isEmpty else { continue }
            let held = try await redis.send(RedisCommand(["HMGET", keys.scheduled(partition: partition)] + pairs.map(\.0)))
            for ((id, milliseconds), text) in zip(pairs, held.array ?? []) {
                let fields = Self.heldFields(text.string ?? "")
                events.append(ScheduledEvent(id: id, partition: partition, deliverAt: Date(timeIntervalSince1970: milliseconds / 1000),
                                             type: fields["type"] ?? "?", subject: fields["subject"] ?? "?"))
            }
        }
        return events.sorted { ($0.deliverAt, $0.id) < ($1.deliverAt, $1.id) }
    }

    /// A held event's fields from its JSON array (expected, then field/value pairs).
    private static func heldFields(_ text: String) -> [String: String] {
        guard let values = (try? JSON(parsing: text))?.arrayValue?.compactMap(\.stringValue), values.count > 1 else { return [:] }
        var fields: [String: String] = [:]
        for index in stride(from: 1, to: values.count - 1, by: 2) { fields[values[index]] = values[index + 1] }
        return fields
    }
}

import RedisClient

extension EventLog {
    /// Reads up to `count` events of a partition after `after` (exclusive), oldest first.
    /// - Parameter upcast: convert payloads to the newest schema version (default true).
    /// - Throws: `EventLogError.corruptEntry` for an entry that is not a valid envelope.
    /// - Throws: `EventLogError.trimmed` when entries after `after` were trimmed from Redis
    ///   (the tiered log reads them from the archive).
    public func read(partition: Int, after: StreamID = .zero, count: Int = 100, upcast: Bool = true) async throws -> [EventEnvelope] {
        let tail = try await tail(partition: partition, after: after, count: count)
        try refuseTrimmed(tail, partition: partition, after: after)
        return try decodeEntries(tail.reply, partition: partition, upcast: upcast)
    }

    /// What Redis holds of a partition after `after`: up to `count` entries, and the trim
    /// watermark read after them on the same connection (so it is at least the one in force
    /// when they were read). Every entry after `after` at or above `watermark` is in `reply`'s
    /// range; entries between `after` and `watermark` may be gone (they are in the archive).
    func tail(partition: Int, after: StreamID, count: Int) async throws -> (reply: RedisValue, watermark: StreamID) {
        let stream = configuration.streamKey(partition: partition)
        let commands = [RedisCommand("XRANGE", stream, "(\(after)", "+", "COUNT", String(count)).replying(as: .streamEntries),
                        RedisCommand("GET", configuration.keys.trimmed(partition: partition))]
        return try Self.tail(try await withRetries { try await redis.withConnection(routedBy: stream) { try await $0.pipeline(commands) } })
    }

    /// `tail` as entries kept as stored (`.corrupt` for one that is not an envelope), for the
    /// tiered log.
    public func readTail(partition: Int, after: StreamID, count: Int) async throws -> (entries: [LogEntry], watermark: StreamID) {
        let tail = try await tail(partition: partition, after: after, count: count)
        return (try decodeLenient(tail.reply, partition: partition), tail.watermark)
    }

    private static func tail(_ replies: [RedisValue]) throws -> (reply: RedisValue, watermark: StreamID) {
        if let message = replies[0].errorMessage ?? replies[1].errorMessage { throw RedisError(.server, message) }
        return (replies[0], replies[1].string.flatMap(StreamID.init) ?? .zero)
    }

    /// Redis alone cannot serve reads after `after` once the watermark passed its successor.
    func refuseTrimmed(_ tail: (reply: RedisValue, watermark: StreamID), partition: Int, after: StreamID) throws {
        guard after.successor < tail.watermark else { return }
        throw EventLogError(.trimmed, field: "\(partition)-\(after)",
                            "partition \(partition) of the Redis log is trimmed below \(tail.watermark); entries after \(after) are in the archive "
                            + "(read.events): read them through the tiered log (berrys log read, rebuilds and the projector do)")
    }

    /// Waits up to `block` for events of a partition after `after`.
    /// - Parameter connection: a connection of the caller's own for the blocking read; without
    ///   one, a pooled connection is held for the whole wait (and publishers may queue behind it).
    /// - Throws: `EventLogError.trimmed` as `read` does (the trim watermark is read after the
    ///   wait, on the same connection).
    public func follow(partition: Int, after: StreamID, count: Int = 100, block: Duration = .seconds(1),
                       upcast: Bool = true, on connection: RedisConnection? = nil) async throws -> [EventEnvelope] {
        let key = configuration.streamKey(partition: partition)
        let commands = [RedisCommand("XREAD", "COUNT", String(count), "BLOCK", String(block.inMilliseconds), "STREAMS", key, after.description)
            .replying(as: .firstStreamEntries), RedisCommand("GET", configuration.keys.trimmed(partition: partition))]
        let timeout = block + .seconds(5)
        let replies: [RedisValue]
        if let connection {
            replies = try await withRetries { try await blockingPipeline(commands, on: connection, timeout: timeout) }
        } else {
            replies = try await withRetries { try await redis.withConnection(routedBy: key) { try await blockingPipeline(commands, on: $0, timeout: timeout) } }
        }
        let tail = try Self.tail(replies)
        try refuseTrimmed(tail, partition: partition, after: after)
        return try decodeEntries(tail.reply, partition: partition, upcast: upcast)
    }

    /// A connection of its own for `follow` on `partition`: to the log's Redis, or in a
    /// cluster to the node serving the partition (it follows the partition when it moves).
    public func makeBlockingConnection(partition: Int) -> RedisConnection {
        redis.makeDedicatedConnection(routedBy: configuration.streamKey(partition: partition))
    }

    /// The newest entry id of a partition, or `.zero` when it is empty.
    public func lastStreamID(partition: Int) async throws -> StreamID {
        let reply = try await withRetries {
            try await redis.send("XREVRANGE", configuration.streamKey(partition: partition), "+", "-", "COUNT", "1")
        }
        return reply.array?.first?.array?.first?.string.flatMap(StreamID.init) ?? .zero
    }

    func decodeEntries(_ reply: RedisValue, partition: Int, upcast: Bool) throws -> [EventEnvelope] {
        try decodeLenient(reply, partition: partition).map { entry in
            switch entry {
            case .event(let envelope): return upcast ? try registry.upcast(envelope) : envelope
            case .corrupt(let position, let reason):
                throw EventLogError(.corruptEntry, field: position.description, "stream entry \(position) is not a valid event: \(reason)")
            }
        }
    }

    /// Reads up to `count` entries of a partition after `after` as stored, keeping entries that
    /// are not valid envelopes as `.corrupt` instead of failing the whole read.
    /// - Throws: `EventLogError.trimmed` as `read` does.
    public func readEntries(partition: Int, after: StreamID, count: Int) async throws -> [LogEntry] {
        let tail = try await tail(partition: partition, after: after, count: count)
        try refuseTrimmed(tail, partition: partition, after: after)
        return try decodeLenient(tail.reply, partition: partition)
    }

    func decodeLenient(_ reply: RedisValue, partition: Int) throws -> [LogEntry] {
        guard let entries = reply.entries else { throw EventLogError(.corruptEntry, "unexpected stream reply: \(reply)") }
        return try entries.map { entry in
            guard let streamID = StreamID(entry.id) else {
                throw EventLogError(.corruptEntry, "unexpected stream entry id: \(entry.id)")
            }
            let position = Position(partition: partition, streamID: streamID)
            do {
                return .event(try EventEnvelope(fields: entry.fields, position: position))
            } catch let error as EventLogError {
                return .corrupt(position: position, reason: error.message)
            }
        }
    }
}

/// Pipelines commands, the first a blocking one, with a reply timeout long enough for it, then
/// restores the default.
func blockingPipeline(_ commands: [RedisCommand], on connection: RedisConnection, timeout: Duration) async throws -> [RedisValue] {
    try await connection.setReplyTimeout(timeout)
    do {
        let replies = try await connection.pipeline(commands)
        try await connection.setReplyTimeout(nil)
        return replies
    } catch {
        try? await connection.setReplyTimeout(nil)
        throw error
    }
}

extension EventLog {
    /// How many events a partition holds after `after`, counting at most `limit`, and the
    /// first of them. (Redis cannot count from a position without reading the entries, so
    /// the count stops at the limit.)
    public func count(partition: Int, after: StreamID, limit: Int = 10_000) async throws -> (count: Int, firstID: StreamID?, capped: Bool) {
        let key = configuration.streamKey(partition: partition)
        let reply = try await withRetries {
            try await redis.send(RedisCommand("XRANGE", key, "(\(after)", "+", "COUNT", String(limit)))
        }
        let entries = reply.array ?? []
        let first = entries.first?.array?.first?.string.flatMap(StreamID.init)
        return (entries.count, first, entries.count == limit)
    }
}

extension EventLog {
    /// The number of entries in a partition's stream.
    public func length(partition: Int) async throws -> Int64 {
        try await withRetries { try await redis.send("XLEN", configuration.streamKey(partition: partition)).int ?? 0 }
    }
}

extension EventLog {
    /// A subject's current sequence as kept by the append function (0 when it has no events):
    /// whether, and how far, an entity exists in the log itself, whatever read models lag behind.
    /// - Parameter partitionKey: the subject's partition key when it is not the subject.
    public func currentSequence(subject: String, partitionKey: String? = nil) async throws -> Int {
        try await subjectHead(subject: subject, partitionKey: partitionKey)?.sequence ?? 0
    }

    /// A subject's latest event as the append function recorded it: its sequence and where it
    /// is in the log (nil when the subject has no events). Reading a subject's history up to
    /// it, once the archive has reached it, misses none of its events.
    /// - Parameter partitionKey: the subject's partition key when it is not the subject.
    public func subjectHead(subject: String, partitionKey: String? = nil) async throws -> (sequence: Int, position: Position)? {
        let partition = partitioner.partition(for: partitionKey ?? subject)
        let key = configuration.keys.sequences(partition: partition)
        let value = try await withRetries { try await redis.send("HGET", key, subject) }
        // "sequence stream-id s|k event-id" (AppendFunction).
        guard let fields = value.string?.split(separator: " "), fields.count >= 2, let sequence = Int(fields[0]),
              let streamID = StreamID(String(fields[1])) else { return nil }
        return (sequence, Position(partition: partition, streamID: streamID))
    }
}

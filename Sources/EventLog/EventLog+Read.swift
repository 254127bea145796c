import RedisClient

extension EventLog {
    /// Reads up to `count` events of a partition after `after` (exclusive), oldest first.
    /// - Parameter upcast: convert payloads to the newest schema version (default true).
    /// - Throws: `EventLogError.corruptEntry` for an entry that is not a valid envelope.
    public func read(partition: Int, after: StreamID = .zero, count: Int = 100, upcast: Bool = true) async throws -> [EventEnvelope] {
        let reply = try await withRetries {
            try await redis.send(RedisCommand("XRANGE", configuration.streamKey(partition: partition), "(\(after)", "+", "COUNT", String(count))
                .replying(as: .streamEntries))
        }
        return try decodeEntries(reply, partition: partition, upcast: upcast)
    }

    /// Waits up to `blockMilliseconds` for events of a partition after `after`.
    /// - Parameter connection: a connection of the caller's own for the blocking read; without
    ///   one, a pooled connection is held for the whole wait (and publishers may queue behind it).
    public func follow(partition: Int, after: StreamID, count: Int = 100, blockMilliseconds: Int = 1000,
                       upcast: Bool = true, on connection: RedisConnection? = nil) async throws -> [EventEnvelope] {
        let key = configuration.streamKey(partition: partition)
        let command = RedisCommand("XREAD", "COUNT", String(count), "BLOCK", String(blockMilliseconds), "STREAMS", key, after.description)
            .replying(as: .firstStreamEntries)
        let timeout = Double(blockMilliseconds) / 1000 + 5
        let reply: RedisValue
        if let connection {
            reply = try await withRetries { try await blockingSend(command, on: connection, timeout: timeout) }
        } else {
            reply = try await withRetries { try await redis.withConnection(routedBy: key) { try await blockingSend(command, on: $0, timeout: timeout) } }
        }
        return try decodeEntries(reply, partition: partition, upcast: upcast)
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
    public func readEntries(partition: Int, after: StreamID, count: Int) async throws -> [LogEntry] {
        let reply = try await withRetries {
            try await redis.send(RedisCommand("XRANGE", configuration.streamKey(partition: partition), "(\(after)", "+", "COUNT", String(count))
                .replying(as: .streamEntries))
        }
        return try decodeLenient(reply, partition: partition)
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

/// Sends a blocking command with a reply timeout long enough for it, then restores the default.
private func blockingSend(_ command: RedisCommand, on connection: RedisConnection, timeout: Double) async throws -> RedisValue {
    try await connection.setReplyTimeout(timeout)
    do {
        let reply = try await connection.send(command)
        try await connection.setReplyTimeout(nil)
        return reply
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
        let partition = partitioner.partition(for: partitionKey ?? subject)
        let key = configuration.keys.sequences(partition: partition)
        let value = try await withRetries { try await redis.send("HGET", key, subject) }
        return value.string.flatMap { $0.split(separator: " ").first }.flatMap { Int($0) } ?? 0
    }
}

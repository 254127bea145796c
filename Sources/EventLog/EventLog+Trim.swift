import RedisClient

/// What one `berrys_trim` call did to a partition's stream.
public struct TrimResult: Sendable, Hashable {
    /// Entries removed by this call.
    public var removed: Int
    /// Every entry at or above it is in Redis; below it entries may have been trimmed.
    public var watermark: StreamID
    /// The stream's length afterwards.
    public var length: Int
    /// Its oldest entry afterwards (nil: empty).
    public var firstEntry: StreamID?
}

extension EventLog {
    /// Removes up to `maximumEntries` of the oldest entries of a partition whose ids are below
    /// `cap`, and moves the partition's trim watermark past them, atomically (`TrimFunction`).
    /// The caller decides `cap` from a `TrimPlan`: nothing below it is needed in Redis.
    public func trim(partition: Int, below cap: StreamID, maximumEntries: Int) async throws -> TrimResult {
        let keys = configuration.keys
        let reply = try await withRetries {
            try await redis.send(RedisCommand("FCALL", "berrys_trim", "2", keys.stream(partition: partition), keys.trimmed(partition: partition),
                                              cap.description, String(max(0, maximumEntries))))
        }
        return try Self.trimResult(reply)
    }

    /// The stream's state without trimming anything (`berrys_trim` with a count of 0).
    public func trimState(partition: Int) async throws -> TrimResult {
        try await trim(partition: partition, below: .zero, maximumEntries: 0)
    }

    /// The partition's trim watermark (`.zero` when it was never trimmed).
    public func trimWatermark(partition: Int) async throws -> StreamID {
        try await withRetries { try await redis.send("GET", configuration.keys.trimmed(partition: partition)) }.string.flatMap(StreamID.init) ?? .zero
    }

    /// Every consumer group on a partition's stream with its last-delivered id and its oldest
    /// pending entry: the readers a trim must not overtake.
    public func consumerGroups(partition: Int) async throws -> [TrimPlan.Limit.Reader] {
        let stream = configuration.streamKey(partition: partition)
        let groups = try await withRetries { try await redis.sendReturningErrors(RedisCommand("XINFO", "GROUPS", stream)) }
        if groups.errorMessage != nil { return [] }  // no stream yet
        var readers: [TrimPlan.Limit.Reader] = []
        for group in groups.array ?? [] {
            let fields = group.fieldMap
            guard let name = fields["name"]?.string, let delivered = fields["last-delivered-id"]?.string.flatMap(StreamID.init) else {
                throw EventLogError(.corruptEntry, "unexpected XINFO GROUPS reply for \(stream): \(group)")
            }
            var oldestPending: StreamID?
            if (fields["pending"]?.int ?? 0) > 0 {
                let summary = try await withRetries { try await redis.send("XPENDING", stream, name) }
                oldestPending = summary.array.flatMap { $0.count > 1 ? $0[1].string : nil }.flatMap(StreamID.init)
            }
            readers.append(.group(name: name, lastDelivered: delivered, oldestPending: oldestPending))
        }
        return readers
    }

    static func trimResult(_ reply: RedisValue) throws -> TrimResult {
        guard let items = reply.array, items.count == 4, let removed = items[0].int, let watermark = items[1].string.flatMap(StreamID.init),
              let length = items[2].int else {
            throw EventLogError(.corruptEntry, "unexpected berrys_trim reply: \(reply)")
        }
        return TrimResult(removed: Int(removed), watermark: watermark, length: Int(length), firstEntry: items[3].string.flatMap(StreamID.init))
    }
}

extension EventLog {
    /// Redis memory in use (`used_memory`), in bytes, summed over the primaries: what retention
    /// bounds.
    public func redisUsedMemory() async throws -> Int {
        try await withRetries {
            try await redis.forEachPrimary { _, connection in
                let info = try await connection.send("INFO", "memory").string ?? ""
                let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("used_memory:") }
                return line.flatMap { Int($0.dropFirst("used_memory:".count)) } ?? 0
            }.reduce(0, +)
        }
    }
}

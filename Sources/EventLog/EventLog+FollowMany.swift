import RedisClient

extension EventLog {
    /// What one partition gave a `followEntries` call.
    public struct FollowedPartition: Sendable {
        /// Its entries after the position asked, oldest first, as stored.
        public var entries: [LogEntry]
        /// Its trim watermark, read after the wait: when it passed the successor of the position
        /// asked, Redis no longer holds all that came after it (read it through the tiered log).
        public var watermark: StreamID
    }

    /// Waits up to `block` for entries of several partitions at once: one `XREAD`
    /// over their streams, then each partition's trim watermark, on `connection`.
    ///
    /// The streams must live on one node and, in a cluster, in one slot: there, one partition per
    /// call (each partition's stream has a hash tag of its own).
    /// - Parameter after: each partition's last entry read.
    /// - Returns: every partition asked for; nothing new within the wait gives empty entries.
    public func followEntries(after: [Int: StreamID], count: Int, block: Duration,
                              on connection: RedisConnection) async throws -> [Int: FollowedPartition] {
        let partitions = after.keys.sorted()
        let keys = partitions.map { configuration.streamKey(partition: $0) }
        let read = RedisCommand(["XREAD", "COUNT", String(count), "BLOCK", String(block.inMilliseconds), "STREAMS"] + keys
                                + partitions.map { after[$0]!.description })
        let watermarks = partitions.map { RedisCommand("GET", configuration.keys.trimmed(partition: $0)) }
        let replies = try await blockingPipeline([read] + watermarks, on: connection, timeout: block + .seconds(5))
        if let message = replies.lazy.compactMap(\.errorMessage).first { throw RedisError(.server, message) }
        var byKey: [String: RedisValue] = [:]
        for stream in replies[0].array ?? [] {
            guard let parts = stream.array, parts.count == 2, let key = parts[0].string else { continue }
            byKey[key] = parts[1]
        }
        var result: [Int: FollowedPartition] = [:]
        for (index, partition) in partitions.enumerated() {
            let entries = try byKey[keys[index]].map { try decodeLenient($0, partition: partition) } ?? []
            result[partition] = FollowedPartition(entries: entries, watermark: replies[index + 1].string.flatMap(StreamID.init) ?? .zero)
        }
        return result
    }
}

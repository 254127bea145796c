import EventLog
import RedisClient

/// New entries read by the consumer loop: deliveries in log order, and the ids of entries of
/// types the worker does not handle (acknowledged at once).
struct ReadBatch: Sendable {
    var deliveries: [Delivery] = []
    var unhandled: [String] = []
}

extension PartitionConsumer {
    /// Acknowledges `acks` and reads new entries, in two round trips; runs on a task of the
    /// consumer loop's group, so that processing goes on meanwhile.
    ///
    /// The read is fenced by the lease (`LeaseFencedRead`). With `block` and nothing new, it
    /// waits up to `block` on a plain `XREAD BLOCK` past the stream's last entry
    /// (a transaction cannot block), then reads once more, fenced, if something came.
    /// - Throws: `LeaseNotHeld` when the lease is another's (or nobody's).
    func readNew(acking acks: [String], on connection: RedisConnection, block: Bool) async throws -> ReadBatch {
        var commands: [RedisCommand] = []
        if !acks.isEmpty { commands.append(RedisCommand(["XACK", keys.stream, keys.group] + acks)) }
        commands.append(RedisCommand("EXISTS", keys.blockedKeys))
        let fence = LeaseFencedRead(keys: keys, consumer: consumer, count: settings.batchSize)
        let first = try await fence.run(on: connection, after: commands)
        var entries = first.entries
        if block, entries.isEmpty {
            let wait = RedisCommand("XREAD", "COUNT", "1", "BLOCK", String(settings.block.inMilliseconds), "STREAMS", keys.stream, first.lastID)
            guard !(try await connection.send(wait)).isNull else { return ReadBatch() }
            entries = try await fence.run(on: connection).entries
        }
        let anyBlocked = first.before[first.before.count - 1].int ?? 0 > 0
        var batch = ReadBatch()
        for entry in entries {
            if let type = entry.fields.first(where: { $0.0 == "type" })?.1, !worker.handledTypes.contains(type) {
                batch.unhandled.append(entry.id)
                continue
            }
            batch.deliveries.append(Delivery.received(fields: entry.fields, streamID: entry.id, partition: keys.partition,
                                                    origin: .stream, registry: registry, deliveryCount: 1))
        }
        if anyBlocked && !batch.deliveries.isEmpty {
            let blocked = try await blockedKeys(Set(batch.deliveries.map(\.key)), on: connection)
            for index in batch.deliveries.indices where blocked.contains(batch.deliveries[index].key) {
                batch.deliveries[index].mode = .parkBehind
            }
        }
        return batch
    }

    /// The keys among `candidates` that have a parked or retrying event.
    func blockedKeys(_ candidates: Set<String>, on connection: RedisConnection) async throws -> Set<String> {
        let keyList = Array(candidates)
        var arguments = ["HMGET", keys.blockedKeys]
        for key in keyList { arguments += ["d:\(key)", "r:\(key)"] }
        let values = try await connection.send(RedisCommand(arguments)).array ?? []
        var blocked: Set<String> = []
        for (index, key) in keyList.enumerated() {
            let parked = values[safe: 2 * index]?.string.flatMap(Int.init) ?? 0
            let retrying = values[safe: 2 * index + 1]?.string.flatMap(Int.init) ?? 0
            if parked > 0 || retrying > 0 { blocked.insert(key) }
        }
        return blocked
    }

    /// The worker's retry stream's entries, as deliveries, but for those `skipping` names (in hand already).
    func readRetries(skipping held: (String) -> Bool) async throws -> [Delivery] {
        let reply = try await redis.send(RedisCommand("XRANGE", keys.retries, "-", "+", "COUNT", String(settings.batchSize)).replying(as: .streamEntries))
        return StreamReply.entries(reply).filter { !held($0.id) }.map { entry in
            let source = entry.fields.first { $0.0 == "dlq_source_id" }?.1 ?? entry.id
            return Delivery.received(fields: entry.fields, streamID: source, partition: keys.partition,
                                     origin: .retry(entryID: entry.id), registry: registry, deliveryCount: 1)
        }
    }
}

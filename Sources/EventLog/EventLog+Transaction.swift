import RedisClient

extension EventLog {
    /// Appends prepared events of one partition in one Redis transaction, with the rules of
    /// `berrys_append` applied here (`PartitionAppendPlan`) instead of in Lua.
    ///
    /// Why: in a function, Redis spends its one thread on the Lua work of every event (turning
    /// the arguments into Lua strings, the checks, each `redis.call`): 35–45 µs of Redis CPU per
    /// event against 2.6 µs for a bare XADD on the same day (`berrys-bench publish`). Here Redis
    /// only runs the plain commands, and the checks run in the publishing process.
    ///
    /// How: `WATCH` the stream and the subjects' sequence hash, read the sequence and de-dup
    /// records, the stream's last generated id and the server's time in one round trip; plan;
    /// then `MULTI`, the `XADD`s (with the planned ids), one `HSET` of the sequence records, the
    /// de-dup `SET`s, `EXEC` in a second. Any other append to the partition in between (by
    /// `berrys_append`, another process, a raw XADD) writes a watched key, so `EXEC` runs
    /// nothing and the batch is planned again from fresh reads. The records are the ones
    /// `berrys_append` reads and writes, so both paths de-duplicate and sequence together.
    /// - Parameter atomic: write the events all or nothing (`PartitionAppendPlan.atomicRefusal`).
    /// - Returns: one outcome per event, in order.
    /// - Throws: with `atomic`, the set's refusal, nothing written.
    func appendTransaction(_ events: [(envelope: EventEnvelope, expected: ExpectedSequence)], partition: Int,
                           atomic: Bool = false, on connection: RedisConnection) async throws -> [PartitionAppendPlan.Outcome] {
        let stream = configuration.streamKey(partition: partition)
        let sequenceKey = configuration.keys.sequences(partition: partition)
        let subjects = Array(Set(events.map(\.envelope.subject)))
        let ids = Array(Set(events.map(\.envelope.id)))
        for _ in 0..<Self.maximumTransactionAborts {
            let read = try await connection.pipeline([
                RedisCommand("WATCH", stream, sequenceKey),
                RedisCommand(["HMGET", sequenceKey] + subjects),
                RedisCommand(["MGET"] + ids.map { configuration.keys.deduplication(partition: partition, eventID: $0) }),
                RedisCommand("XINFO", "STREAM", stream),
                RedisCommand("TIME"),
                RedisCommand("HMGET", configuration.configKey(partition: partition), "partitions", "dedup_window_ms"),
            ])
            let settings = read[5].array ?? []
            guard settings.first?.string != nil else {
                _ = try? await connection.send(RedisCommand("UNWATCH"))
                throw EventLogError(.registry, "the log is not initialised (no \(configuration.configKey(partition: partition))); run berrys init")
            }
            let window = settings.count > 1 ? settings[1].int.map(Int.init) ?? 86_400_000 : 86_400_000
            let plan = PartitionAppendPlan(
                events: events, records: Self.byName(subjects, read[1]), remembered: Self.byName(ids, read[2]),
                lastID: Self.lastGeneratedID(read[3]), now: try Self.milliseconds(read[4]),
                deduplicationWindowMilliseconds: window)
            if atomic, let refusal = plan.atomicRefusal {
                try await connection.send(RedisCommand("UNWATCH"))
                throw refusal
            }
            if plan.entries.isEmpty {
                guard let wait = configuration.durability.waitCommand else {
                    try await connection.send(RedisCommand("UNWATCH"))
                    return plan.outcomes
                }
                return try outcomes(plan.outcomes, replicatedBy: try await connection.pipeline([RedisCommand("UNWATCH"), wait])[1],
                                    stream: stream)
            }
            var writes = [RedisCommand("MULTI")]
            for entry in plan.entries {
                var xadd = RedisCommand("XADD", stream, entry.id.description, "sequence", String(entry.sequence))
                entry.envelope.appendFields(to: &xadd)
                writes.append(xadd)
            }
            writes.append(RedisCommand(["HSET", sequenceKey] + plan.sequenceRecords.flatMap { [$0.subject, $0.record] }))
            for record in plan.deduplication {
                writes.append(RedisCommand("SET", configuration.keys.deduplication(partition: partition, eventID: record.eventID),
                                           record.record, "PX", String(window)))
            }
            writes.append(RedisCommand("EXEC"))
            let wait = configuration.durability.waitCommand
            if let wait { writes.append(wait) }
            var replies = try await connection.pipeline(writes)
            let waitReply = wait == nil ? nil : replies.removeLast()
            if let refused = replies.lazy.compactMap(\.errorMessage).first {
                // Refused while queueing (say, out of memory): EXEC discarded the whole
                // transaction. Each event gets the refusal, as berrys_append's reply would be.
                return events.map { _ in .refused(refused) }
            }
            guard let executed = replies.last, !executed.isNull else { continue }
            if let failed = executed.array?.lazy.compactMap(\.errorMessage).first {
                throw EventLogError(.corruptEntry, "a command of the append transaction of \(stream) failed: \(failed)")
            }
            if let waitReply { return try outcomes(plan.outcomes, replicatedBy: waitReply, stream: stream) }
            return plan.outcomes
        }
        throw EventLogError(.unavailable, "the append to \(stream) was interrupted \(Self.maximumTransactionAborts) times in a row by other appends to the partition; try again")
    }

    /// Transactions of one batch aborted in a row by other appends before it gives up.
    static let maximumTransactionAborts = 50

    /// The outcomes once `WAIT` answered: unless a replica confirmed, what was appended and
    /// what was a duplicate (whose original may not have reached a replica either) is
    /// `notReplicated`, as `append` answers both; conflicts and invalid events stay.
    private func outcomes(_ outcomes: [PartitionAppendPlan.Outcome], replicatedBy waitReply: RedisValue,
                          stream: String) throws -> [PartitionAppendPlan.Outcome] {
        do {
            try configuration.durability.check(waitReply: waitReply, stream: stream)
            return outcomes
        } catch let error as EventLogError where error.code == .notReplicated {
            return outcomes.map {
                switch $0 {
                case .appended, .duplicate: return .notReplicated(error.message)
                default: return $0
                }
            }
        }
    }

    /// An `HMGET`/`MGET` reply as a dictionary of the names that have a value.
    private static func byName(_ names: [String], _ reply: RedisValue) -> [String: String] {
        var values: [String: String] = [:]
        for (name, value) in zip(names, reply.array ?? []) {
            if let text = value.string { values[name] = text }
        }
        return values
    }

    /// `last-generated-id` of an `XINFO STREAM` reply; zero for a stream that does not exist yet.
    private static func lastGeneratedID(_ reply: RedisValue) -> StreamID {
        reply.fieldMap["last-generated-id"]?.string.flatMap(StreamID.init) ?? .zero
    }

    /// The milliseconds of a `TIME` reply.
    private static func milliseconds(_ reply: RedisValue) throws -> UInt64 {
        guard let parts = reply.array, parts.count == 2, let seconds = parts[0].int, let micros = parts[1].int else {
            throw EventLogError(.unavailable, "unexpected reply to TIME: \(reply)")
        }
        return UInt64(seconds) * 1000 + UInt64(micros) / 1000
    }
}

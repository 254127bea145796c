import RedisClient

extension EventLog {
    /// Appends a set of prepared events **all or nothing**: in order, each subject's sequences
    /// consecutive, each condition judged on the subject's state before the set plus the set's
    /// earlier events, and nothing visible to any reader until all of it is (one `MULTI`/`EXEC`
    /// under `WATCH`, as `appendBatch`; `berrys_append_atomic` applies the same rules for raw
    /// clients).
    ///
    /// The events may be of several subjects, but all of one partition (one partition key, or
    /// keys that land in one partition). A set whose ids were all appended before answers with
    /// the originals' places (`duplicate`), as a single duplicate does.
    /// - Returns: one result per event, in order.
    /// - Throws: `EventLogError`, nothing written: `.conflict` (expected vs actual),
    ///   `.crossPartition`, `.partialDuplicate` (some ids seen, some not, or an id twice),
    ///   `.invalidEnvelope`; `index` names the event. `.notReplicated` when the set is on the
    ///   primary but no replica confirmed it (`BERRYS_DURABILITY=replicated`; sending it again
    ///   is safe). Retries while Redis is unreachable.
    public func appendAtomically(_ events: [(envelope: EventEnvelope, expected: ExpectedSequence)]) async throws -> [AppendResult] {
        guard !events.isEmpty else { return [] }
        try Self.checkDistinctIDs(events.map(\.envelope.id))
        let partition = try onePartition(events.map(\.envelope))
        let outcomes = try await withRetries {
            try await redis.withConnection(routedBy: configuration.streamKey(partition: partition)) {
                try await appendTransaction(events, partition: partition, atomic: true, on: $0)
            }
        }
        let results = try zip(events, outcomes).enumerated().map { index, pair in
            switch Self.result(of: pair.1, id: pair.0.envelope.id, partition: partition) {
            case .success(let result): return result
            case .failure(var error):
                error.index = index
                throw error
            }
        }
        results.forEach(PublishMetrics.count)
        return results
    }

    /// Validates drafts and appends them as one atomic set (see `appendAtomically(_:)`).
    /// - Parameter expected: the set's condition: it applies to the first event of each subject
    ///   that has no condition of its own (`EventDraft.expected`), as the batch-wide
    ///   `Berrys-Expected-Sequence` header does.
    /// - Throws: `EventLogError` with `index` for an invalid draft, or the set's refusal.
    public func appendAtomically(_ drafts: [EventDraft], expected: ExpectedSequence? = nil) async throws -> [AppendResult] {
        let envelopes = try drafts.enumerated().map { index, draft in
            do { return try prepare(draft) } catch var error as EventLogError {
                error.index = index
                error.message = "event \(index + 1): \(error.message)"
                throw error
            }
        }
        let conditions = Self.setConditions(subjects: envelopes.map(\.subject), own: drafts.map(\.expected), setWide: expected)
        return try await appendAtomically(Array(zip(envelopes, conditions)))
    }

    /// Each event's condition in an atomic set: its own where it has one; else the set-wide
    /// condition for the first event of its subject (the subject's state before the set);
    /// else none (a later event of a subject follows its predecessor in the set anyway).
    public static func setConditions(subjects: [String], own: [ExpectedSequence?], setWide: ExpectedSequence?) -> [ExpectedSequence] {
        var seen = Set<String>()
        return zip(subjects, own).map { subject, own in
            let first = seen.insert(subject).inserted
            return own ?? (first ? setWide : nil) ?? .any
        }
    }

    /// The one partition of a set's events.
    /// - Throws: `.crossPartition` naming each partition and the events that land there.
    func onePartition(_ envelopes: [EventEnvelope]) throws -> Int {
        var byPartition: [(partition: Int, events: [Int])] = []
        for (index, envelope) in envelopes.enumerated() {
            let partition = partition(of: envelope)
            if let at = byPartition.firstIndex(where: { $0.partition == partition }) {
                byPartition[at].events.append(index + 1)
            } else {
                byPartition.append((partition, [index + 1]))
            }
        }
        guard byPartition.count > 1 else { return byPartition[0].partition }
        let spread = byPartition.map { "partition \($0.partition): events \($0.events.map(String.init).joined(separator: ", "))" }
        throw EventLogError(.crossPartition, field: "partitionkey",
                            "an atomic set must lie in one partition; these events land in \(byPartition.count) (\(spread.joined(separator: "; "))): "
                                + "give the decision's events one partition key, or append per partition with deterministic ids",
                            details: spread, index: byPartition[1].events[0] - 1)
    }

    /// - Throws: `.partialDuplicate` when an id is in the set twice.
    static func checkDistinctIDs(_ ids: [String]) throws {
        var first: [String: Int] = [:]
        for (index, id) in ids.enumerated() {
            if let earlier = first[id] {
                throw EventLogError(.partialDuplicate, field: "id", "event \(index + 1): id \(id) is event \(earlier + 1) of the set too", index: index)
            }
            first[id] = index
        }
    }

    /// The `FCALL berrys_append_atomic` of a set, for callers that speak to the function as a
    /// raw client would (the shared case table, the benchmark): each event as
    /// `<expected> <pair count> <field> <value> …`.
    public func atomicFunctionCommand(_ events: [(envelope: EventEnvelope, expected: ExpectedSequence)], partition: Int) -> RedisCommand {
        var command = RedisCommand("FCALL", "berrys_append_atomic", "1", configuration.streamKey(partition: partition))
        for (envelope, expected) in events {
            var pairs: [String] = []
            envelope.forEachField { pairs += [$0, $1] }
            command.append(expected.description)
            command.append(String(pairs.count / 2))
            for argument in pairs { command.append(argument) }
        }
        return command
    }

    /// The results of a `berrys_append_atomic` reply for events `ids` of `partition`.
    /// - Throws: the set's refusal (`appendError`, with `index`), or `.corruptEntry` for an
    ///   unexpected shape.
    public static func atomicResults(of reply: RedisValue, ids: [String], partition: Int) throws -> [AppendResult] {
        if case .error(let message) = reply { throw appendError(message) }
        guard let elements = reply.array, elements.count == ids.count else {
            throw EventLogError(.corruptEntry, "unexpected reply from berrys_append_atomic for \(ids.count) events: \(reply)")
        }
        return try zip(elements, ids).map { try result(of: $0, id: $1, partition: partition) }
    }
}

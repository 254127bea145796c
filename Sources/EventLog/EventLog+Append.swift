import Foundation
import BerrysFoundation
import Metrics
import RedisClient

extension EventLog {
    /// Validates and appends one event.
    /// - Parameter expected: the optimistic-concurrency condition on the subject's sequence,
    ///   unless the draft has its own (`EventDraft.expected`, which wins).
    /// - Returns: where it landed; for a duplicate id, where the original is.
    /// - Throws: `EventLogError` (`.conflict` shows expected vs actual); nothing is written then.
    ///   Retries while Redis is unreachable (safe: appends are idempotent by id).
    public func append(_ draft: EventDraft, expected: ExpectedSequence = .any) async throws -> AppendResult {
        let envelope = try prepare(draft)
        let expected = draft.expected ?? expected
        if let deliverAt = draft.deliverAt, deliverAt > clock.date {
            return try await schedule(prepared: envelope, at: deliverAt, expected: expected)
        }
        return try await append(prepared: envelope, expected: expected)
    }

    /// Appends an already prepared event.
    public func append(prepared envelope: EventEnvelope, expected: ExpectedSequence = .any) async throws -> AppendResult {
        let partition = partition(of: envelope)
        let command = appendCommand(envelope, partition: partition, expected: expected)
        let result: AppendResult
        if let wait = configuration.durability.waitCommand {
            // On one connection, so that WAIT counts the replicas that have this write.
            let stream = configuration.streamKey(partition: partition)
            let replies = try await withRetries {
                try await redis.withConnection(routedBy: stream) { try await $0.pipeline([command, wait]) }
            }
            result = try Self.result(of: replies[0], id: envelope.id, partition: partition)
            try configuration.durability.check(waitReply: replies[1], stream: stream)
        } else {
            let reply = try await withRetries { try await redis.sendReturningErrors(command) }
            result = try Self.result(of: reply, id: envelope.id, partition: partition)
        }
        PublishMetrics.count(result)
        return result
    }

    /// Appends many prepared events, all under the one condition `expected`.
    /// - Returns: one result per event, in order: the append, or why the function refused it.
    public func appendBatch(_ envelopes: [EventEnvelope], expected: ExpectedSequence = .any,
                            chunkSize: Int = 1000) async throws -> [Result<AppendResult, EventLogError>] {
        try await appendBatch(envelopes.map { ($0, expected) }, chunkSize: chunkSize)
    }

    /// Appends many prepared events, each under its own condition: grouped by partition (order
    /// kept within each), each partition's share of `chunkSize` events in one transaction
    /// (`appendTransaction`), the partitions side by side.
    /// - Returns: one result per event, in order, as if each had been appended alone in that
    ///   order: the append (a duplicate id gives the original's place), or why it was refused.
    /// - Throws: only when Redis stays unreachable (`withRetries`; a retry is safe, since ids
    ///   de-duplicate).
    public func appendBatch(_ events: [(envelope: EventEnvelope, expected: ExpectedSequence)],
                            chunkSize: Int = 1000) async throws -> [Result<AppendResult, EventLogError>] {
        var results: [Result<AppendResult, EventLogError>] = []
        results.reserveCapacity(events.count)
        var start = 0
        while start < events.count {
            let chunk = events[start..<min(start + max(chunkSize, 1), events.count)]
            results += try await appendChunk(chunk)
            start = chunk.endIndex
        }
        return results
    }

    private func appendChunk(_ chunk: ArraySlice<(envelope: EventEnvelope, expected: ExpectedSequence)>) async throws
        -> [Result<AppendResult, EventLogError>] {
        var byPartition: [Int: [Int]] = [:]
        for index in chunk.indices { byPartition[partition(of: chunk[index].envelope), default: []].append(index) }
        var results = [Result<AppendResult, EventLogError>?](repeating: nil, count: chunk.count)
        try await withThrowingTaskGroup(of: (Int, [Int], [PartitionAppendPlan.Outcome]).self) { group in
            for (partition, indices) in byPartition {
                let events = indices.map { chunk[$0] }
                group.addTask {
                    let outcomes = try await withRetries {
                        try await redis.withConnection(routedBy: configuration.streamKey(partition: partition)) {
                            try await appendTransaction(events, partition: partition, on: $0)
                        }
                    }
                    return (partition, indices, outcomes)
                }
            }
            for try await (partition, indices, outcomes) in group {
                for (index, outcome) in zip(indices, outcomes) {
                    let result = Self.result(of: outcome, id: chunk[index].envelope.id, partition: partition)
                    if case .success(let appended) = result { PublishMetrics.count(appended) }
                    results[index - chunk.startIndex] = result
                }
            }
        }
        return results.map { $0! }
    }

    static func result(of outcome: PartitionAppendPlan.Outcome, id: String, partition: Int) -> Result<AppendResult, EventLogError> {
        switch outcome {
        case .appended(let streamID, let sequence):
            return .success(AppendResult(id: id, position: Position(partition: partition, streamID: streamID), sequence: sequence, duplicate: false))
        case .duplicate(let streamID, let sequence):
            return .success(AppendResult(id: id, position: Position(partition: partition, streamID: streamID), sequence: sequence, duplicate: true))
        case .conflict(let message):
            return .failure(EventLogError(.conflict, field: "expected", message))
        case .invalid(let message):
            return .failure(EventLogError(.invalidEnvelope, message))
        case .refused(let message):
            return .failure(appendError(message))
        case .notReplicated(let message):
            return .failure(EventLogError(.notReplicated, message))
        }
    }

    func appendCommand(_ envelope: EventEnvelope, partition: Int, expected: ExpectedSequence) -> RedisCommand {
        var command = RedisCommand("FCALL", "berrys_append", "1", configuration.streamKey(partition: partition), expected.description)
        envelope.appendFields(to: &command)
        return command
    }

    func withRetries<T: Sendable>(_ operation: () async throws -> T) async throws -> T {
        let loop = RetryLoop(timeout: configuration.unavailableRetry, clock: clock)
        return try await Self.unavailableAsError(redis) {
            try await loop.run(isRetryable: { ($0 as? RedisError)?.isTransient == true },
                               onRetry: { error, delay in logger.warning("Redis not reachable, retrying in \(delay.secondsText): \(error)") },
                               operation)
        }
    }

    /// The result of one `berrys_append` reply (or one element of a `berrys_append_batch` reply)
    /// for event `id` of `partition`.
    /// - Throws: `EventLogError` for an error reply (conflict, invalid, refused) or an unexpected shape.
    public static func result(of reply: RedisValue, id: String, partition: Int) throws -> AppendResult {
        if case .error(let message) = reply { throw appendError(message) }
        guard let parts = reply.array, parts.count == 3, let streamText = parts[0].string, let streamID = StreamID(streamText),
              let sequence = parts[1].int, let status = parts[2].string else {
            throw EventLogError(.corruptEntry, "unexpected reply from berrys_append: \(reply)")
        }
        return AppendResult(id: id, position: Position(partition: partition, streamID: streamID),
                            sequence: Int(sequence), duplicate: status == "duplicate")
    }

    /// The error of a `berrys_append*` error reply; for `berrys_append_atomic`'s "event N: …"
    /// the error's `index` is N - 1.
    public static func appendError(_ message: String) -> EventLogError {
        let codes: [(String, EventLogError.Code, String?)] = [
            ("BERRYS_CONFLICT ", .conflict, "expected"), ("BERRYS_INVALID ", .invalidEnvelope, nil),
            ("BERRYS_CROSS_PARTITION ", .crossPartition, "partitionkey"), ("BERRYS_PARTIAL_DUPLICATE ", .partialDuplicate, "id"),
        ]
        for (prefix, code, field) in codes where message.hasPrefix(prefix) {
            let text = String(message.dropFirst(prefix.count))
            var index: Int?
            if text.hasPrefix("event "), let number = Int(text.dropFirst(6).prefix { $0.isNumber }) { index = number - 1 }
            return EventLogError(code, field: field, text, index: index)
        }
        if message.contains("Function not found") {
            return EventLogError(.registry, "the berrys_append function is not loaded; run berrys init")
        }
        return EventLogError(.unavailable, "Redis refused the append: \(message)")
    }
}

/// `berrys_events_published_total{status="appended"|"duplicate"}`.
enum PublishMetrics {
    static let appended = Counter(label: "berrys_events_published_total", dimensions: [("status", "appended")])
    static let duplicate = Counter(label: "berrys_events_published_total", dimensions: [("status", "duplicate")])

    static func count(_ result: AppendResult) {
        (result.duplicate ? duplicate : appended).increment()
    }
}

import EventLog
import Foundation
import RedisClient

/// Inspects and resolves dead letters: list, show, retry (re-deliver in order) and drop (move
/// to `<ns>:dlq-dropped:…` with who and when; nothing is deleted outright).
public struct DeadLetterStore: Sendable {
    let redis: RedisPool
    let namespace: String

    /// The dead letters of the log in `namespace`.
    public init(redis: RedisPool, namespace: String) {
        self.redis = redis
        self.namespace = namespace
    }

    /// Every dead letter, optionally of one worker, oldest first per stream.
    public func list(worker: String? = nil) async throws -> [DeadLetter] {
        var letters: [DeadLetter] = []
        for (name, partition) in try await deadLetterStreams(worker: worker) {
            let keys = WorkerKeys(namespace: namespace, worker: name, partition: partition)
            let reply = try await redis.send(RedisCommand("XRANGE", keys.deadLetters, "-", "+"))
            letters += StreamReply.entries(reply).map { DeadLetter(worker: name, partition: partition, entryID: $0.id, fields: $0.fields) }
        }
        return letters
    }

    /// Finds a dead letter by its reference (`worker/partition/entry-id`) or its event id.
    /// - Throws: `DeadLetterError.notFound`, or `.ambiguous` when an event id is parked by several workers.
    public func find(_ reference: String) async throws -> DeadLetter {
        let parts = reference.split(separator: "/").map(String.init)
        if parts.count == 3, let partition = Int(parts[1]) {
            let keys = WorkerKeys(namespace: namespace, worker: parts[0], partition: partition)
            let reply = try await redis.send(RedisCommand("XRANGE", keys.deadLetters, parts[2], parts[2]))
            if let entry = StreamReply.entries(reply).first {
                return DeadLetter(worker: parts[0], partition: partition, entryID: entry.id, fields: entry.fields)
            }
            throw DeadLetterError.notFound(reference)
        }
        let matches = try await list().filter { $0.eventID == reference }
        guard let first = matches.first else { throw DeadLetterError.notFound(reference) }
        guard matches.count == 1 else { throw DeadLetterError.ambiguous(reference, matches.map(\.reference)) }
        return first
    }

    /// Re-delivers a dead letter to its worker, with every event parked behind it (same key),
    /// in order. - Returns: how many events were re-delivered.
    public func retry(_ letter: DeadLetter) async throws -> Int {
        try await DeadLetterFunctions.load(on: redis)
        let keys = WorkerKeys(namespace: namespace, worker: letter.worker, partition: letter.partition)
        let reply = try await redis.send(RedisCommand("FCALL", "berrys_dlq_retry", "3", keys.deadLetters, keys.retries, keys.blockedKeys,
                                                      letter.entryID, Timestamp.format(redis.clock.date)))
        return Int(reply.int ?? 0)
    }

    /// Re-delivers every dead letter (of one worker, or of all). - Returns: how many.
    public func retryAll(worker: String? = nil) async throws -> Int {
        var total = 0
        // Each retry moves a head and its followers; re-list until nothing is left.
        while let head = try await list(worker: worker).first {
            total += try await retry(head)
        }
        return total
    }

    /// Moves a dead letter to the dropped stream, recording who dropped it and when; when it was
    /// its key's head, the events parked behind it are re-delivered.
    /// - Returns: how many events behind it were released.
    public func drop(_ letter: DeadLetter, by who: String) async throws -> Int {
        try await DeadLetterFunctions.load(on: redis)
        let keys = WorkerKeys(namespace: namespace, worker: letter.worker, partition: letter.partition)
        let reply = try await redis.send(RedisCommand("FCALL", "berrys_dlq_drop", "4", keys.deadLetters, keys.dropped, keys.retries,
                                                      keys.blockedKeys, letter.entryID, who, Timestamp.format(redis.clock.date)))
        return Int(reply.int ?? 0)
    }

    /// The number of dead letters of one worker on one partition.
    public func count(worker: String, partition: Int) async throws -> Int {
        let keys = WorkerKeys(namespace: namespace, worker: worker, partition: partition)
        return Int(try await redis.send(RedisCommand("XLEN", keys.deadLetters)).int ?? 0)
    }

    /// The (worker, partition) pairs that have a DLQ stream: each partition's consumer groups
    /// (one per worker that ever ran) whose DLQ exists. (A SCAN of the keyspace did it before;
    /// on the test Redis, shared by every test's namespace, one listing took over 10 s.)
    private func deadLetterStreams(worker: String?) async throws -> [(String, Int)] {
        guard let partitions = try await redis.send("HGET", LogKeys(namespace: namespace).meta, "partitions").int else { return [] }
        var found: [(String, Int)] = []
        for partition in 0..<Int(partitions) {
            let stream = LogKeys(namespace: namespace).stream(partition: partition)
            let groups = try await redis.sendReturningErrors(RedisCommand("XINFO", "GROUPS", stream))
            guard groups.errorMessage == nil else { continue }  // no stream yet
            let names = (groups.array ?? []).compactMap { $0.fieldMap["name"]?.string }.filter { worker == nil || $0 == worker }
            for name in names {
                let keys = WorkerKeys(namespace: namespace, worker: name, partition: partition)
                if try await redis.send("EXISTS", keys.deadLetters).int == 1 { found.append((name, partition)) }
            }
        }
        return found.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    }
}

/// A dead-letter command that cannot be done, with a message that says what to do.
public enum DeadLetterError: Error, CustomStringConvertible, Sendable {
    case notFound(String)
    case ambiguous(String, [String])

    /// A stable code for scripts and logs.
    public var code: String {
        switch self {
        case .notFound: return "BERRYS_DLQ_NOT_FOUND"
        case .ambiguous: return "BERRYS_DLQ_AMBIGUOUS"
        }
    }

    public var description: String {
        switch self {
        case .notFound(let reference):
            return "\(code): no dead letter '\(reference)' (see berrys dlq list)"
        case .ambiguous(let reference, let matches):
            return "\(code): event \(reference) is parked by several workers; name one of: \(matches.joined(separator: ", "))"
        }
    }
}

import RedisClient

/// A consumer's read of new entries (`XREADGROUP … >`), done only while it holds the
/// partition's lease: nothing is delivered to a consumer whose lease expired or was taken.
///
/// Why a fence at all: see `LeaseFunctions` (a stalled holder's read landing after the next
/// holder's takeover reorders a key's events). Why not a function like the claim: a function
/// copies every entry it reads into Lua and back; measured with `berrys-bench workers`, Redis
/// spent 15.5 µs of CPU per event instead of 5.4 for a plain XREADGROUP, and the no-op worker
/// fell from 0.55× to 0.34× of the raw loop.
///
/// How: `WATCH lease` and `GET lease` in one round trip (after the caller's own commands, say
/// its acknowledgements); when the lease is the consumer's, `MULTI`, `XREADGROUP`, `XREVRANGE
/// … COUNT 1` (the last id, for a blocking wait past it) and `EXEC` in the next. Any write to
/// the lease key in between (a takeover, its expiry, or this consumer's own renewal, which
/// WATCH cannot tell apart) makes EXEC run nothing; the read then starts again from the GET.
/// The keys share the partition's hash tag, so the transaction touches one slot.
struct LeaseFencedRead {
    let keys: WorkerKeys
    let consumer: String
    let count: Int

    /// What a read returned.
    struct Result: Sendable {
        /// The replies of the commands sent before it, in order.
        var before: [RedisValue]
        /// The entries delivered to the consumer, in log order.
        var entries: [RedisStreamEntry]
        /// The stream's last entry id (`0-0` when it is empty), as of the read.
        var lastID: String
    }

    /// Transactions aborted in a row (each by a write to the lease) before the read gives up:
    /// a renewal lands at most once per a third of the lease, so two in a row already mean
    /// that something else keeps writing it.
    static let maximumAborts = 8

    /// Sends `before` and reads, fenced by the lease.
    /// - Throws: `LeaseNotHeld` when the lease is another's or nobody's; `RedisError` for an
    ///   error reply (of `before` as well).
    func run(on connection: RedisConnection, after before: [RedisCommand] = []) async throws -> Result {
        var leading = before
        var beforeReplies: [RedisValue] = []
        for _ in 0..<Self.maximumAborts {
            let checked = try await connection.pipeline(leading + [RedisCommand("WATCH", keys.lease), RedisCommand("GET", keys.lease)])
            if !leading.isEmpty { beforeReplies = Array(checked.dropLast(2)) }
            if let failure = checked.lazy.compactMap(\.errorMessage).first {
                _ = try? await connection.send(RedisCommand("UNWATCH"))
                throw RedisError(.server, failure)
            }
            leading = []
            let holder = checked[checked.count - 1].string
            guard holder == consumer else {
                try await connection.send(RedisCommand("UNWATCH"))
                throw LeaseNotHeld(message: "\(keys.lease) is held by \(holder ?? "nobody"), not \(consumer)")
            }
            if let (entries, lastID) = try await transaction(on: connection) {
                return Result(before: beforeReplies, entries: entries, lastID: lastID)
            }
        }
        throw RedisError(.server, "the read of \(keys.stream) was aborted \(Self.maximumAborts) times in a row by writes to its lease \(keys.lease)")
    }

    /// MULTI … EXEC of the read; nil when a write to the watched lease aborted it.
    private func transaction(on connection: RedisConnection) async throws -> ([RedisStreamEntry], String)? {
        let read = RedisCommand("XREADGROUP", "GROUP", keys.group, consumer, "COUNT", String(count), "STREAMS", keys.stream, ">")
        let last = RedisCommand("XREVRANGE", keys.stream, "+", "-", "COUNT", "1")
        let exec = RedisCommand("EXEC").replying(as: .transaction([.firstStreamEntries, .streamEntries]))
        let replies = try await connection.pipeline([RedisCommand("MULTI"), read, last, exec])
        if let failure = replies.lazy.compactMap(\.errorMessage).first { throw RedisError(.server, failure) }
        let executed = replies[3]
        if executed.isNull { return nil }
        guard let results = executed.array, results.count == 2 else {
            throw RedisError(.server, "unexpected EXEC reply to the read of \(keys.stream)")
        }
        if let failure = results.lazy.compactMap(\.errorMessage).first { throw RedisError(.server, failure) }
        return (results[0].entries ?? [], results[1].entries?.first?.id ?? "0-0")
    }
}

import EventLog
import RedisClient

/// The Redis Functions library `berrys_leases`: a partition consumer's claims of pending
/// entries, done only while the caller holds the partition's lease, in the same atomic step.
/// (Its reads of new entries are fenced too, by a transaction: `LeaseFencedRead`.)
///
/// Why: a lease holder that stalls (a Redis pause, a long GC-like stop, an out-of-memory spell
/// that refuses its renewals) loses its lease while a read or claim of its is still on its
/// way. Checked in the process, that read lands after the next holder has claimed what was
/// pending and starts reading behind it: seen in the fault runner as a `task.assigned` handled
/// by the new holder while the old one still had the `task.created` before it (redis-stall
/// with `DEBUG SLEEP 3` and 2 s leases, and redis-oom). Fenced, every entry is delivered
/// either before the next holder acquired the lease (it finds it pending, and claims it
/// before it reads anything new) or to the holder itself.
///
/// `FCALL berrys_claim_held 2 <lease> <stream> <consumer> <group> <id> …` returns what
/// `XCLAIM <stream> <group> <consumer> 0 <id> …` returns, or fails with `BERRYS_NOT_HOLDER`
/// when the lease is not the consumer's. Claims are rare and small, so the copy of each entry
/// through Lua costs little here, unlike on the read path.
///
/// `FCALL berrys_backfill_held 2 <lease> <backfill> <consumer> <position>` records how far a
/// group's catch-up from the archive got (`Backfill`); an empty position ends it.
///
/// The keys share the partition's hash tag, so each call touches one slot in Redis Cluster.
public enum LeaseFunctions {
    /// The error prefix of a read or claim by a consumer that does not hold the lease (the
    /// refusal of Lua/berrys_leases.lua starts with it; LeaseFenceTests reads it back).
    static let notHolderPrefix = "BERRYS_NOT_HOLDER"

    /// Loads the library unless this version is already there.
    public static func load(on redis: RedisPool) async throws {
        try await library.ensureLoaded(on: redis)
    }

    /// The library (Lua/berrys_leases.lua), versioned by its content.
    static let library = RedisFunctionLibrary(name: "berrys_leases", versionFunction: "berrys_leases_version",
                                              luaFiles: ["berrys_leases"], in: .module)

    /// A fenced `XCLAIM stream group consumer 0 ids…`.
    static func claim(_ keys: WorkerKeys, consumer: String, ids: [String]) -> RedisCommand {
        RedisCommand(["FCALL", "berrys_claim_held", "2", keys.lease, keys.stream, consumer, keys.group] + ids)
            .replying(as: .streamEntries)
    }

    /// A fenced record of a catch-up's progress; nil `position`: the catch-up is finished.
    static func recordBackfill(_ keys: WorkerKeys, consumer: String, position: StreamID?) -> RedisCommand {
        RedisCommand("FCALL", "berrys_backfill_held", "2", keys.lease, keys.backfill, consumer, position?.description ?? "")
    }
}

/// A read or claim was refused because this consumer no longer holds the partition's lease:
/// the consumer stops (it is not started over), and the runner lets the partition go.
struct LeaseNotHeld: Error, CustomStringConvertible {
    let message: String
    var description: String { "the partition's lease is no longer held: \(message)" }

    /// The error for a reply of a fenced call, if it is a refusal.
    static func from(_ reply: RedisValue) -> LeaseNotHeld? {
        guard case .error(let message) = reply, message.hasPrefix(LeaseFunctions.notHolderPrefix) else { return nil }
        return LeaseNotHeld(message: String(message.dropFirst(LeaseFunctions.notHolderPrefix.count + 1)))
    }
}

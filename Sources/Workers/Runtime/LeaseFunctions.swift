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
    /// Bumped whenever the Lua source changes; start-up replaces an older library.
    public static let version = "3"

    /// The error prefix of a read or claim by a consumer that does not hold the lease.
    static let notHolderPrefix = "BERRYS_NOT_HOLDER"

    /// Loads the library unless this version is already there.
    public static func load(on redis: RedisPool) async throws {
        try await library.ensureLoaded(on: redis)
    }

    /// The library, versioned.
    static let library = RedisFunctionLibrary(name: "berrys_leases", version: version, versionFunction: "berrys_leases_version", source: source)

    /// A fenced `XCLAIM stream group consumer 0 ids…`.
    static func claim(_ keys: WorkerKeys, consumer: String, ids: [String]) -> RedisCommand {
        RedisCommand(["FCALL", "berrys_claim_held", "2", keys.lease, keys.stream, consumer, keys.group] + ids)
            .replying(as: .streamEntries)
    }

    /// A fenced record of a catch-up's progress; nil `position`: the catch-up is finished.
    static func recordBackfill(_ keys: WorkerKeys, consumer: String, position: StreamID?) -> RedisCommand {
        RedisCommand("FCALL", "berrys_backfill_held", "2", keys.lease, keys.backfill, consumer, position?.description ?? "")
    }

    /// The library's Lua source.
    public static let source = #"""
#!lua name=berrys_leases
local VERSION = '\#(version)'

local function held(keys, args)
  local holder = redis.call('GET', keys[1])
  if holder ~= args[1] then
    return redis.error_reply('\#(notHolderPrefix) ' .. keys[1] .. ' is held by ' .. tostring(holder or 'nobody') .. ', not ' .. args[1])
  end
end

local function claim_held(keys, args)
  local refused = held(keys, args)
  if refused then return refused end
  return redis.call('XCLAIM', keys[2], args[2], args[1], '0', unpack(args, 3))
end

local function backfill_held(keys, args)
  local refused = held(keys, args)
  if refused then return refused end
  if args[2] == '' then return redis.call('DEL', keys[2]) end
  return redis.call('HSET', keys[2], 'position', args[2])
end

redis.register_function('berrys_claim_held', claim_held)
redis.register_function('berrys_backfill_held', backfill_held)
redis.register_function{function_name = 'berrys_leases_version', callback = function() return VERSION end, flags = {'no-writes'}}
"""#
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

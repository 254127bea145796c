import BerrysFoundation
import BerrysRuntime
import Foundation
import RedisClient

/// Partition leases and membership in Redis for one owner (a worker, the scheduled-event
/// firer, the log trimmer), as the ownership runtime's store.
///
/// A lease `<ns>:lease:<owner>:{p}` holds the name of the one process that owns partition p
/// for this owner (for a worker: so per-key order holds across processes); it expires unless
/// renewed. Members are kept in `<ns>:members:<owner>`, a sorted set scored by when their
/// membership expires (by the wall clock: the score is shared with the other processes).
public struct RedisLeaseStore: LeaseStore {
    let keys: LogKeys
    let owner: String
    let partitions: Int
    /// This process's name in the leases and the membership.
    let holder: String
    let redis: RedisPool
    let leaseMilliseconds: Int
    /// The wall clock the membership scores are read from.
    let clock: BerrysClock

    /// - Parameters:
    ///   - owner: what owns the partitions: a worker's name, or `_firer`, `_trimmer`.
    ///   - holder: this process's name, unique per process.
    public init(keys: LogKeys, owner: String, partitions: Int, holder: String, redis: RedisPool, lease: Duration, clock: BerrysClock) {
        self.keys = keys
        self.owner = owner
        self.partitions = partitions
        self.holder = holder
        self.redis = redis
        self.clock = clock
        self.leaseMilliseconds = Int(lease.inSeconds * 1000)
    }

    var membersKey: String { keys.members(owner: owner) }
    func leaseKey(_ partition: Int) -> String { keys.lease(owner: owner, partition: partition) }

    /// Refreshes this process's membership and drops expired members.
    /// - Returns: how many processes run this worker, this one included.
    public func heartbeat() async throws -> Int {
        let now = clock.unixMilliseconds
        let replies = try await redis.pipeline([
            RedisCommand("ZADD", membersKey, String(now + Int64(leaseMilliseconds)), holder),
            RedisCommand("ZREMRANGEBYSCORE", membersKey, "-inf", String(now)),
            RedisCommand("ZRANGE", membersKey, "0", "-1"),
        ])
        if case .error(let message) = replies[0] { throw RedisError(.server, message) }
        return max(1, Set((replies[2].array ?? []).compactMap(\.string)).count)
    }

    /// The live holder names, without refreshing.
    public func liveMembers() async throws -> Set<String> {
        let now = clock.unixMilliseconds
        let reply = try await redis.send(RedisCommand("ZRANGEBYSCORE", membersKey, String(now), "+inf"))
        return Set((reply.array ?? []).compactMap(\.string))
    }

    /// The partitions nobody holds.
    public func freePartitions() async throws -> Set<Int> {
        // One GET per lease, pipelined: the leases lie in as many slots as there are partitions.
        let values = try await redis.pipeline((0..<partitions).map { RedisCommand("GET", leaseKey($0)) })
        for case .error(let message) in values { throw RedisError(.server, message) }
        return Set((0..<partitions).filter { $0 < values.count ? values[$0].isNull : true })
    }

    /// Takes a free partition's lease.
    public func acquire(_ partition: Int) async throws -> Bool {
        let reply = try await redis.send(RedisCommand("SET", leaseKey(partition), holder, "NX", "PX", String(leaseMilliseconds)))
        return reply.string == "OK"
    }

    /// Extends held leases.
    /// - Returns: the partitions whose lease was lost.
    /// - Throws: when Redis refused a renewal (say, out of memory): that says nothing of who
    ///   holds the lease, and the reads are fenced by it anyway (`LeaseFunctions`).
    public func renew(_ held: Set<Int>) async throws -> Set<Int> {
        guard !held.isEmpty else { return [] }
        let held = held.sorted()
        let script = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end"
        let replies = try await redis.pipeline(held.map {
            RedisCommand("EVAL", script, "1", leaseKey($0), holder, String(leaseMilliseconds))
        })
        for case .error(let message) in replies { throw RedisError(.server, message) }
        return Set(zip(held, replies).filter { $0.1.int != 1 }.map(\.0))
    }

    /// Gives a lease back if this process still holds it.
    public func release(_ partition: Int) async throws {
        let script = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"
        try await redis.send(RedisCommand("EVAL", script, "1", leaseKey(partition), holder))
    }

    /// Leaves the membership (at shutdown), so the others take over at once.
    public func leave() async throws {
        try await redis.send(RedisCommand("ZREM", membersKey, holder))
    }
}

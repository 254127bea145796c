import BerrysRuntime
import Foundation
import RedisClient

/// The Redis side of partition leases and worker membership for one worker.
///
/// A lease `<ns>:lease:<worker>:{p}` holds the consumer name of the one process that consumes
/// partition p for this worker (so per-key order holds across processes); it expires unless
/// renewed. Members are kept in a sorted set scored by when their membership expires (by the
/// wall clock: the score is shared with the other processes).
struct PartitionLeases: LeaseStore {
    let namespace: String
    let worker: String
    let partitions: Int
    let consumer: String
    let redis: RedisPool
    let leaseMilliseconds: Int

    var membersKey: String { WorkerKeys.members(namespace: namespace, worker: worker) }
    func leaseKey(_ partition: Int) -> String { WorkerKeys(namespace: namespace, worker: worker, partition: partition).lease }

    /// Refreshes this process's membership and drops expired members.
    /// - Returns: how many processes run this worker, this one included.
    func heartbeat() async throws -> Int {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let replies = try await redis.pipeline([
            RedisCommand("ZADD", membersKey, String(now + Int64(leaseMilliseconds)), consumer),
            RedisCommand("ZREMRANGEBYSCORE", membersKey, "-inf", String(now)),
            RedisCommand("ZRANGE", membersKey, "0", "-1"),
        ])
        if case .error(let message) = replies[0] { throw RedisError(.server, message) }
        return max(1, Set((replies[2].array ?? []).compactMap(\.string)).count)
    }

    /// The live consumer names, without refreshing.
    func liveMembers() async throws -> Set<String> {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let reply = try await redis.send(RedisCommand("ZRANGEBYSCORE", membersKey, String(now), "+inf"))
        return Set((reply.array ?? []).compactMap(\.string))
    }

    /// The partitions nobody holds.
    func freePartitions() async throws -> Set<Int> {
        // One GET per lease, pipelined: the leases lie in as many slots as there are partitions.
        let values = try await redis.pipeline((0..<partitions).map { RedisCommand("GET", leaseKey($0)) })
        for case .error(let message) in values { throw RedisError(.server, message) }
        return Set((0..<partitions).filter { values[safe: $0]?.isNull ?? true })
    }

    /// Takes a free partition's lease.
    func acquire(_ partition: Int) async throws -> Bool {
        let reply = try await redis.send(RedisCommand("SET", leaseKey(partition), consumer, "NX", "PX", String(leaseMilliseconds)))
        return reply.string == "OK"
    }

    /// Extends held leases.
    /// - Returns: the partitions whose lease was lost.
    /// - Throws: when Redis refused a renewal (say, out of memory): that says nothing of who
    ///   holds the lease, and the reads are fenced by it anyway (`LeaseFunctions`).
    func renew(_ held: Set<Int>) async throws -> Set<Int> {
        guard !held.isEmpty else { return [] }
        let held = held.sorted()
        let script = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end"
        let replies = try await redis.pipeline(held.map {
            RedisCommand("EVAL", script, "1", leaseKey($0), consumer, String(leaseMilliseconds))
        })
        for case .error(let message) in replies { throw RedisError(.server, message) }
        return Set(zip(held, replies).filter { $0.1.int != 1 }.map(\.0))
    }

    /// Gives a lease back if this process still holds it.
    func release(_ partition: Int) async throws {
        let script = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"
        try await redis.send(RedisCommand("EVAL", script, "1", leaseKey(partition), consumer))
    }

    /// Leaves the membership (at shutdown), so the others take over at once.
    func leave() async throws {
        try await redis.send(RedisCommand("ZREM", membersKey, consumer))
    }
}

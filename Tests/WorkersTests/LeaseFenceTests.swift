import RedisClient
import TestSupport
import Testing
@testable import Workers

/// The lease fence of reads (`LeaseFencedRead`) and claims (`LeaseFunctions`), against a real Redis: a consumer
/// that does not hold the partition's lease gets nothing delivered and claims nothing.
@Suite struct LeaseFenceTests {
    private func fenced(_ command: RedisCommand, on redis: RedisPool) async throws -> RedisValue {
        try await redis.pipeline([command])[0]
    }

    private func pendingCount(_ keys: WorkerKeys, consumer: String, on redis: RedisPool) async throws -> Int {
        let rows = try await redis.send(RedisCommand("XPENDING", keys.stream, keys.group, "-", "+", "100", consumer)).array ?? []
        return rows.count
    }

    /// A fenced read by `consumer` on a connection of its own, as the consumer loop makes it.
    private func read(_ keys: WorkerKeys, as consumer: String, on redis: RedisPool,
                      after before: [RedisCommand] = []) async throws -> LeaseFencedRead.Result {
        try await withConnection(of: redis) { connection in
            try await LeaseFencedRead(keys: keys, consumer: consumer, count: 10).run(on: connection, after: before)
        }
    }

    /// Lends a connection of its own, closed also when `body` throws.
    private func withConnection<T: Sendable>(of redis: RedisPool, _ body: (RedisConnection) async throws -> T) async throws -> T {
        let connection = redis.makeDedicatedConnection()
        return try await doing({ try await body(connection) }, finally: { await connection.close() })
    }

    private func refusal(_ keys: WorkerKeys, as consumer: String, on redis: RedisPool) async throws -> LeaseNotHeld? {
        do {
            _ = try await read(keys, as: consumer, on: redis)
            return nil
        } catch let refused as LeaseNotHeld {
            return refused
        }
    }

    @Test func readsDeliverOnlyToTheLeaseHolder() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        let published = try await harness.publish(count: 2)
        let keys = WorkerKeys(namespace: harness.namespace, worker: "fence", partition: 0)
        try await harness.redis.send("XGROUP", "CREATE", keys.stream, keys.group, "0", "MKSTREAM")

        #expect(try await refusal(keys, as: "me", on: harness.redis)?.message.contains("held by nobody, not me") == true)
        try await harness.redis.send("SET", keys.lease, "other")
        #expect(try await refusal(keys, as: "me", on: harness.redis)?.message.contains("held by other, not me") == true)
        #expect(try await pendingCount(keys, consumer: "me", on: harness.redis) == 0)

        try await harness.redis.send("SET", keys.lease, "me")
        let first = try await read(keys, as: "me", on: harness.redis, after: [RedisCommand("PING")])
        #expect(first.before == [.status("PONG")])
        #expect(first.entries.map(\.id) == published.map(\.position.streamID.description))
        #expect(try await pendingCount(keys, consumer: "me", on: harness.redis) == 2)
        let nothingNew = try await read(keys, as: "me", on: harness.redis)
        #expect(nothingNew.entries.isEmpty)
        #expect(nothingNew.lastID == published.last?.position.streamID.description)
    }

    @Test func anExpiredLeaseDeliversNothing() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        try await harness.publish(count: 1)
        let keys = WorkerKeys(namespace: harness.namespace, worker: "fence-expired", partition: 0)
        try await harness.redis.send("XGROUP", "CREATE", keys.stream, keys.group, "0", "MKSTREAM")
        // An expired key is an absent key to every command, the fence's GET included: the lease
        // taken, then gone (DEL, rather than waiting for a short expiry).
        try await harness.redis.send("SET", keys.lease, "me", "PX", "60000")
        try await harness.redis.send("DEL", keys.lease)
        #expect(try await refusal(keys, as: "me", on: harness.redis) != nil)
        #expect(try await pendingCount(keys, consumer: "me", on: harness.redis) == 0)
    }

    /// What the fence relies on, on the Redis in use: a transaction after `WATCH lease` runs
    /// nothing when the lease was written meanwhile (here by a renewal of the holder's own, as
    /// `RedisLeaseStore.renew` makes it) or expired; the fenced read after it delivers, once.
    @Test func aWriteToTheWatchedLeaseOrItsExpiryAbortsTheTransaction() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        let published = try await harness.publish(count: 3)
        let keys = WorkerKeys(namespace: harness.namespace, worker: "fence-renewed", partition: 0)
        try await harness.redis.send("XGROUP", "CREATE", keys.stream, keys.group, "0", "MKSTREAM")
        try await harness.redis.send("SET", keys.lease, "me", "PX", "60000")
        let result = try await withConnection(of: harness.redis) { connection in
            try await connection.send(RedisCommand("WATCH", keys.lease))
            try await harness.redis.send("PEXPIRE", keys.lease, "60000")
            let aborted = try await connection.pipeline([RedisCommand("MULTI"), RedisCommand("PING"), RedisCommand("EXEC")])
            #expect(aborted[2].isNull)
            // The key must still exist when WATCH runs (as in the fence, whose GET checks it);
            // on a loaded machine a short expiry may pass first, so it is tried longer then.
            for milliseconds in [200, 1000, 5000] {
                let watched = try await connection.pipeline([RedisCommand("SET", keys.lease, "me", "PX", String(milliseconds)),
                                                             RedisCommand("WATCH", keys.lease), RedisCommand("GET", keys.lease)])
                if watched[2].string == "me" {
                    // Real time: this checks Redis's own expiry of a watched key.
                    try await Task.sleep(for: .milliseconds(milliseconds + 150))
                    break
                }
                try await connection.send(RedisCommand("UNWATCH"))
            }
            let expired = try await connection.pipeline([RedisCommand("MULTI"), RedisCommand("PING"), RedisCommand("EXEC")])
            #expect(expired[2].isNull)
            try await connection.send(RedisCommand("SET", keys.lease, "me", "PX", "60000"))
            return try await LeaseFencedRead(keys: keys, consumer: "me", count: 10).run(on: connection)
        }
        #expect(result.entries.map(\.id) == published.map(\.position.streamID.description))
    }

    @Test func anEmptyStreamReportsTheZeroID() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        let keys = WorkerKeys(namespace: harness.namespace, worker: "fence-empty", partition: 0)
        try await harness.redis.send("XGROUP", "CREATE", keys.stream, keys.group, "0", "MKSTREAM")
        try await harness.redis.send("SET", keys.lease, "me")
        let result = try await read(keys, as: "me", on: harness.redis)
        #expect(result.entries.isEmpty && result.lastID == "0-0")
    }

    @Test func claimsTakeOverOnlyForTheLeaseHolder() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        try await harness.publish(count: 3)
        try await LeaseFunctions.load(on: harness.redis)
        let keys = WorkerKeys(namespace: harness.namespace, worker: "fence-claim", partition: 0)
        try await harness.redis.send("XGROUP", "CREATE", keys.stream, keys.group, "0", "MKSTREAM")
        try await harness.redis.send("SET", keys.lease, "old")
        let ids = try await read(keys, as: "old", on: harness.redis).entries.map(\.id)
        #expect(ids.count == 3)

        try await harness.redis.send("SET", keys.lease, "new")
        let refused = try await fenced(LeaseFunctions.claim(keys, consumer: "old", ids: ids), on: harness.redis)
        #expect(LeaseNotHeld.from(refused) != nil)
        #expect(try await pendingCount(keys, consumer: "old", on: harness.redis) == 3)
        let claimed = try await fenced(LeaseFunctions.claim(keys, consumer: "new", ids: ids), on: harness.redis)
        #expect(claimed.entries?.map(\.id) == ids)
        #expect(try await pendingCount(keys, consumer: "new", on: harness.redis) == 3)
        #expect(try await pendingCount(keys, consumer: "old", on: harness.redis) == 0)
    }
}

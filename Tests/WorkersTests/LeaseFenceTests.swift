import RedisClient
import TestSupport
import Testing
@testable import Workers

/// The lease fence of reads and claims (`LeaseFunctions`), against a real Redis: a consumer
/// that does not hold the partition's lease gets nothing delivered and claims nothing.
@Suite struct LeaseFenceTests {
    private func fenced(_ command: RedisCommand, on redis: RedisPool) async throws -> RedisValue {
        try await redis.pipeline([command])[0]
    }

    private func pendingCount(_ keys: WorkerKeys, consumer: String, on redis: RedisPool) async throws -> Int {
        let rows = try await redis.send(RedisCommand("XPENDING", keys.stream, keys.group, "-", "+", "100", consumer)).array ?? []
        return rows.count
    }

    @Test func readsDeliverOnlyToTheLeaseHolder() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        let published = try await harness.publish(count: 2)
        try await LeaseFunctions.load(on: harness.redis)
        let keys = WorkerKeys(namespace: harness.namespace, worker: "fence", partition: 0)
        try await harness.redis.send("XGROUP", "CREATE", keys.stream, keys.group, "0", "MKSTREAM")

        let unheld = try await fenced(LeaseFunctions.read(keys, consumer: "me", count: 10), on: harness.redis)
        #expect(LeaseNotHeld.from(unheld)?.message.contains("held by nobody, not me") == true)
        try await harness.redis.send("SET", keys.lease, "other")
        let another = try await fenced(LeaseFunctions.read(keys, consumer: "me", count: 10), on: harness.redis)
        #expect(LeaseNotHeld.from(another)?.message.contains("held by other, not me") == true)
        #expect(try await pendingCount(keys, consumer: "me", on: harness.redis) == 0)

        try await harness.redis.send("SET", keys.lease, "me")
        let read = try await fenced(LeaseFunctions.read(keys, consumer: "me", count: 10), on: harness.redis)
        #expect(read.entries?.map(\.id) == published.map(\.position.streamID.description))
        #expect(try await pendingCount(keys, consumer: "me", on: harness.redis) == 2)
        let nothingNew = try await fenced(LeaseFunctions.read(keys, consumer: "me", count: 10), on: harness.redis)
        #expect(nothingNew.string == published.last?.position.streamID.description)
    }

    @Test func anEmptyStreamReportsTheZeroID() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        try await LeaseFunctions.load(on: harness.redis)
        let keys = WorkerKeys(namespace: harness.namespace, worker: "fence-empty", partition: 0)
        try await harness.redis.send("XGROUP", "CREATE", keys.stream, keys.group, "0", "MKSTREAM")
        try await harness.redis.send("SET", keys.lease, "me")
        #expect(try await fenced(LeaseFunctions.read(keys, consumer: "me", count: 10), on: harness.redis).string == "0-0")
    }

    @Test func claimsTakeOverOnlyForTheLeaseHolder() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        try await harness.publish(count: 3)
        try await LeaseFunctions.load(on: harness.redis)
        let keys = WorkerKeys(namespace: harness.namespace, worker: "fence-claim", partition: 0)
        try await harness.redis.send("XGROUP", "CREATE", keys.stream, keys.group, "0", "MKSTREAM")
        try await harness.redis.send("SET", keys.lease, "old")
        let ids = try #require(try await fenced(LeaseFunctions.read(keys, consumer: "old", count: 10), on: harness.redis).entries).map(\.id)
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

import RedisClient
import Testing

/// The slot map read from `CLUSTER SHARDS`, corrected by `MOVED`, and where commands keep
/// their keys: pure values, no server.
@Suite struct ClusterSlotMapTests {
    private static func node(_ port: Int, role: String, health: String = "online") -> RedisValue {
        .array([.bulk(Array("id".utf8)), .bulk(Array("n\(port)".utf8)), .bulk(Array("port".utf8)), .integer(Int64(port)),
                .bulk(Array("ip".utf8)), .bulk(Array("127.0.0.1".utf8)), .bulk(Array("endpoint".utf8)), .bulk(Array("127.0.0.1".utf8)),
                .bulk(Array("role".utf8)), .bulk(Array(role.utf8)), .bulk(Array("health".utf8)), .bulk(Array(health.utf8))])
    }

    private static func shard(_ slots: [Int], _ nodes: [RedisValue]) -> RedisValue {
        .array([.bulk(Array("slots".utf8)), .array(slots.map { .integer(Int64($0)) }), .bulk(Array("nodes".utf8)), .array(nodes)])
    }

    /// The shape redis-server 7.0.15 replied for `redis-cli --cluster create` of six nodes.
    static let threeShards = RedisValue.array([
        shard([0, 5460], [node(7001, role: "master"), node(7004, role: "replica")]),
        shard([10923, 16383], [node(7003, role: "master"), node(7006, role: "replica", health: "loading")]),
        shard([5461, 10922], [node(7002, role: "master"), node(7005, role: "replica")]),
    ])

    @Test func aShardsReplyGivesEachSlotItsPrimary() throws {
        let map = try ClusterSlotMap.parse(shards: Self.threeShards)
        #expect(map.primaries.map(\.port) == [7001, 7003, 7002])
        #expect(map.primary(forSlot: 0)?.port == 7001)
        #expect(map.primary(forSlot: 5460)?.port == 7001)
        #expect(map.primary(forSlot: 5461)?.port == 7002)
        #expect(map.primary(forSlot: 16383)?.port == 7003)
        #expect(map.primary(forSlot: 16384) == nil)
        #expect(map.coversEverySlot)
        #expect(map.shards[0].replicas.map(\.port) == [7004])
        #expect(map.nodes.count == 6)
    }

    /// After a failover the old primary is listed as failed: the promoted replica serves.
    @Test func aFailedPrimaryIsPassedOverForTheOnlineOne() throws {
        let reply = RedisValue.array([
            Self.shard([0, 99, 200, 300], [Self.node(7001, role: "master", health: "fail"), Self.node(7004, role: "master")]),
        ])
        let map = try ClusterSlotMap.parse(shards: reply)
        #expect(map.primary(forSlot: 50)?.port == 7004)
        #expect(map.primary(forSlot: 250)?.port == 7004)
        #expect(map.primary(forSlot: 150) == nil)
        #expect(!map.coversEverySlot)
    }

    @Test func aShardWithoutSlotsOrAPrimaryIsLeftOut() throws {
        let reply = RedisValue.array([
            Self.shard([], [Self.node(7007, role: "master")]),
            Self.shard([0, 16383], [Self.node(7008, role: "replica")]),
        ])
        #expect(try ClusterSlotMap.parse(shards: reply).shards.isEmpty)
        #expect(throws: RedisError.self) { try ClusterSlotMap.parse(shards: .status("OK")) }
        #expect(throws: RedisError.self) { try ClusterSlotMap.parse(shards: .array([Self.shard([0, 1, 2], [])])) }
    }

    @Test func movedReassignsOneSlotEvenToANodeTheMapDidNotKnow() throws {
        var map = try ClusterSlotMap.parse(shards: Self.threeShards)
        map.assign(slot: 100, to: RedisNodeAddress(host: "127.0.0.1", port: 7002))
        #expect(map.primary(forSlot: 100)?.port == 7002)
        #expect(map.primary(forSlot: 101)?.port == 7001)
        map.assign(slot: 101, to: RedisNodeAddress(host: "127.0.0.1", port: 7009))
        #expect(map.primary(forSlot: 101)?.port == 7009)
        #expect(map.primaries.count == 4)
    }

    @Test func commandsNameTheKeysTheyTouch() {
        func keys(_ arguments: String...) -> [String] {
            RedisCommand(arguments).keys.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(keys("GET", "a") == ["a"])
        #expect(keys("FCALL", "berrys_append", "1", "ns:events:{2}", "any", "id", "x") == ["ns:events:{2}"])
        #expect(keys("FCALL", "f", "2", "k1", "k2", "arg") == ["k1", "k2"])
        #expect(keys("FCALL_RO", "berrys_version", "0").isEmpty)
        #expect(keys("EVAL", "return 1", "1", "lease:{3}", "me") == ["lease:{3}"])
        #expect(keys("XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", "s1", "s2", ">", ">") == ["s1", "s2"])
        #expect(keys("XREAD", "COUNT", "1", "BLOCK", "100", "STREAMS", "s", "0-0") == ["s"])
        #expect(keys("XINFO", "STREAM", "s") == ["s"])
        #expect(keys("XGROUP", "CREATE", "s", "g", "0", "MKSTREAM") == ["s"])
        #expect(keys("MEMORY", "USAGE", "k", "SAMPLES", "0") == ["k"])
        #expect(keys("MGET", "a", "b") == ["a", "b"])
        #expect(keys("MULTI").isEmpty && keys("TIME").isEmpty && keys("INFO", "cluster").isEmpty && keys("SCAN", "0").isEmpty)
        #expect(RedisCommand("GET", "ns:seq:{2}").slot == HashSlot.of("2"))
        #expect(RedisCommand("PING").slot == nil)
    }

    @Test func multiKeyCommandsAcrossSlotsAreCaught() {
        #expect(RedisCommand("MGET", "a:{1}", "b:{1}").keysShareOneSlot)
        #expect(!RedisCommand("MGET", "a:{1}", "b:{2}").keysShareOneSlot)
        #expect(RedisCommand("FCALL", "f", "2", "lease:{4}", "events:{4}").keysShareOneSlot)
    }
}

import Foundation
import RedisClient
import TestSupport
import Testing

/// The pool against the test cluster (3 primaries + 3 replicas): routing, split pipelines,
/// functions on every primary, and a slot moved under it (ASK, then MOVED).
@Suite struct ClusterPoolTests {
    let redis = RedisPool(seeds: TestServers.clusterSeeds, size: 2)

    /// A connection to exactly one node, outside any routing.
    private func direct(_ node: RedisNodeAddress) -> RedisConnection {
        RedisConnection(configuration: TestServers.clusterSeeds[0].pointing(at: node))
    }

    @Test func findsTheClusterAndSendsEachKeyToItsPrimary() async throws {
        #expect(try await redis.isCluster())
        #expect(try await !RedisPool(configuration: TestServers.redisConfiguration).isCluster())
        let map = try await redis.slotMap()
        #expect(map.primaries.count == 3 && map.coversEverySlot)
        let namespace = TestServers.uniqueNamespace("route")
        for partition in 0..<16 {
            try await redis.send("SET", "\(namespace):k:{\(partition)}", String(partition))
        }
        // Each key is on the primary the map names, and only there.
        var nodesUsed = Set<RedisNodeAddress>()
        for partition in 0..<16 {
            let key = "\(namespace):k:{\(partition)}"
            let owner = try #require(map.primary(forSlot: HashSlot.of(key)))
            nodesUsed.insert(owner)
            let connection = direct(owner)
            #expect(try await connection.send("GET", key).string == String(partition))
            await connection.close()
        }
        #expect(nodesUsed.count == 3, "16 partitions should spread over the 3 primaries")
    }

    @Test func aPipelineOverManySlotsIsSplitByNodeAndAnsweredInOrder() async throws {
        let namespace = TestServers.uniqueNamespace("pipe")
        let writes = (0..<64).map { RedisCommand("SET", "\(namespace):k:{\($0)}", "v\($0)") }
        #expect(try await redis.pipeline(writes).allSatisfy { $0.string == "OK" })
        var reads: [RedisCommand] = []
        for partition in 0..<64 {
            reads.append(RedisCommand("GET", "\(namespace):k:{\(partition)}"))
            if partition % 10 == 0 { reads.append(RedisCommand("PING")) }
        }
        let replies = try await redis.pipeline(reads)
        let values = replies.compactMap(\.string).filter { $0 != "PONG" }
        #expect(values == (0..<64).map { "v\($0)" })
        #expect(replies.filter { $0.string == "PONG" }.count == 7)
        let scanned = try await redis.scanKeys(matching: "\(namespace):*")
        #expect(scanned.count == 64)
    }

    @Test func aFunctionLibraryIsLoadedOnEveryPrimaryOnce() async throws {
        let version = UUID().uuidString.prefix(8).lowercased()
        let name = "berrys_test_\(version)"
        let library = RedisFunctionLibrary(
            name: name, versionFunction: "\(name)_version",
            lua: "#!lua name=\(name)\nredis.register_function{function_name = '\(name)_version', callback = function() return '__VERSION__' end, flags = {'no-writes'}}")
        let first = try await library.ensureLoaded(on: redis)
        #expect(Set(first) == Set(try await redis.primaries()))
        #expect(try await library.ensureLoaded(on: redis).isEmpty)
        for node in try await redis.primaries() {
            let connection = direct(node)
            #expect(try await connection.send("FCALL_RO", "\(name)_version", "0").string == library.version)
            try await connection.send("FUNCTION", "DELETE", name)
            await connection.close()
        }
    }

    /// A slot is migrated to another primary while the pool uses it, the way
    /// `redis-cli --cluster reshard` does (SETSLOT IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE):
    /// during the move a key already moved is reached through ASK, and afterwards every
    /// command follows MOVED to the new owner. The slot is moved back at the end.
    @Test func commandsFollowASlotMovedUnderThem() async throws {
        let tag = "move-\(UUID().uuidString.prefix(8))"
        let slot = HashSlot.of(tag)
        let map = try await redis.slotMap()
        let source = try #require(map.primary(forSlot: slot))
        let target = try #require(map.primaries.first { $0 != source })
        let moved = "{\(tag)}:moved", stays = "{\(tag)}:stays"
        try await redis.send("SET", moved, "1")
        try await redis.send("SET", stays, "2")
        let from = direct(source), to = direct(target)
        let ids = (try await from.send("CLUSTER", "MYID").string ?? "", try await to.send("CLUSTER", "MYID").string ?? "")

        try await to.send("CLUSTER", "SETSLOT", String(slot), "IMPORTING", ids.0)
        try await from.send("CLUSTER", "SETSLOT", String(slot), "MIGRATING", ids.1)
        try await from.send("MIGRATE", target.host, String(target.port), "", "0", "5000", "KEYS", moved)
        // Mid-migration: the moved key answers through ASK, the other one from the source.
        #expect(try await redis.send("GET", moved).string == "1")
        #expect(try await redis.send("GET", stays).string == "2")
        #expect(try await redis.pipeline([RedisCommand("GET", moved), RedisCommand("GET", stays)]).map(\.string) == ["1", "2"])

        try await from.send("MIGRATE", target.host, String(target.port), "", "0", "5000", "KEYS", stays)
        for node in [to, from] { try await node.send("CLUSTER", "SETSLOT", String(slot), "NODE", ids.1) }
        // After: MOVED, followed, and the map learns the new owner.
        #expect(try await redis.send("INCR", moved).int == 2)
        #expect(try await redis.withConnection(routedBy: stays) { try await $0.send("GET", stays) }.string == "2")
        #expect(try await redis.node(forKey: moved) == target)
        let follower = redis.makeDedicatedConnection(routedBy: moved)
        #expect(try await follower.send("GET", moved).string == "2")
        #expect(await follower.configuration.port == target.port)
        await follower.close()

        // Back where it was, the same way, so the other tests' view of the cluster is unchanged.
        try await from.send("CLUSTER", "SETSLOT", String(slot), "IMPORTING", ids.1)
        try await to.send("CLUSTER", "SETSLOT", String(slot), "MIGRATING", ids.0)
        try await to.send("MIGRATE", source.host, String(source.port), "", "0", "5000", "KEYS", moved, stays)
        for node in [from, to] { try await node.send("CLUSTER", "SETSLOT", String(slot), "NODE", ids.0) }
        #expect(try await redis.send("GET", moved).string == "2")
        #expect(try await redis.node(forKey: moved) == source)
        await from.close()
        await to.close()
    }

    /// A seed that is down at start is skipped: the next one answers for the cluster.
    @Test func aSeedThatIsDownIsSkipped() async throws {
        let down = RedisConfiguration(host: "127.0.0.1", port: try TestServers.freePort())
        let pool = RedisPool(seeds: [down] + TestServers.clusterSeeds, size: 1)
        #expect(try await pool.isCluster())
        let key = "\(TestServers.uniqueNamespace("seed")):k"
        try await pool.send("SET", key, "1")
        #expect(try await pool.send("GET", key).string == "1")
    }

    /// When no seed answers, the error names every node tried and why.
    @Test func noSeedAnsweringNamesEveryNodeTried() async throws {
        let ports = [try TestServers.freePort(), try TestServers.freePort()]
        let pool = RedisPool(seeds: ports.map { RedisConfiguration(host: "127.0.0.1", port: $0) }, size: 1)
        let error = await #expect(throws: RedisError.self) { try await pool.send("PING") }
        let message = error?.message ?? ""
        #expect(message.contains("no Redis node answered"), "\(message)")
        for port in ports { #expect(message.contains("127.0.0.1:\(port)"), "\(message)") }
    }
}

import RedisClient
import Testing

/// Slot routing and redirections of Redis Cluster, as pure values.
@Suite struct ClusterRoutingTests {
    @Test func crc16MatchesTheSpecificationsTestVector() {
        #expect(HashSlot.crc16(Array("123456789".utf8)) == 0x31C3)
        #expect(HashSlot.crc16([UInt8]()) == 0)
    }

    /// Slots as `CLUSTER KEYSLOT` of redis-server 7.0.15 (cluster-enabled) gave them.
    @Test func keysMapToTheSlotsRedisGivesThem() {
        #expect(HashSlot.of("berrys:events:{2}") == 5649)
        #expect(HashSlot.of("{}key") == 14961)
        #expect(HashSlot.of("a{{b}}") == 6215)
        #expect(HashSlot.of("🍓") == 5467)
        #expect(HashSlot.of("key") == 12539)
        #expect(HashSlot.of("key2") == 4998)
        #expect(HashSlot.of("key3") == 935)
        #expect(HashSlot.of("id:{key}") == 12539)
    }

    @Test func onlyANonEmptyTagBetweenTheFirstBracesCounts() {
        #expect(HashSlot.of("berrys:events:{2}") == HashSlot.of("berrys:seq:{2}"))
        #expect(HashSlot.of("berrys:events:{2}") == HashSlot.of("2"))
        #expect(HashSlot.of("{}key") == HashSlot.of("{}key"))
        #expect(Array(HashSlot.hashTag(Array("{}key".utf8))) == Array("{}key".utf8))
        #expect(Array(HashSlot.hashTag(Array("a{b}{c}".utf8))) == Array("b".utf8))
        #expect(Array(HashSlot.hashTag(Array("a{b".utf8))) == Array("a{b".utf8))
        #expect(Array(HashSlot.hashTag(Array("a{{b}}".utf8))) == Array("{b".utf8))
    }

    @Test func redirectionsAreReadFromTheErrorText() {
        #expect(ClusterRedirection(errorMessage: "MOVED 3999 127.0.0.1:6381") == .moved(slot: 3999, host: "127.0.0.1", port: 6381))
        #expect(ClusterRedirection(errorMessage: "ASK 3999 127.0.0.1:6382") == .ask(slot: 3999, host: "127.0.0.1", port: 6382))
        #expect(ClusterRedirection(errorMessage: "MOVED 12 :6380") == .moved(slot: 12, host: "", port: 6380))
        #expect(ClusterRedirection(errorMessage: "MOVED 3999 ::1:6380") == .moved(slot: 3999, host: "::1", port: 6380))
        #expect(ClusterRedirection(errorMessage: "TRYAGAIN Multiple keys request during rehashing of slot") == .tryAgain)
        #expect(ClusterRedirection(errorMessage: "CLUSTERDOWN The cluster is down") == .clusterDown)
        #expect(ClusterRedirection(errorMessage: "MOVED 16384 127.0.0.1:6381") == nil)
        #expect(ClusterRedirection(errorMessage: "MOVED x 127.0.0.1:6381") == nil)
        #expect(ClusterRedirection(errorMessage: "ERR unknown command") == nil)
    }
}

/// `BERRYS_REDIS_URL` listing a cluster's seed nodes.
@Suite struct SeedListTests {
    @Test func everyNodeSharesTheCredentialsAndTheDatabase() throws {
        let seeds = try RedisConfiguration.seeds(url: "redis://app:s%40cret@10.0.0.1:7000,10.0.0.2,10.0.0.3:7002/0")
        #expect(seeds.map(\.host) == ["10.0.0.1", "10.0.0.2", "10.0.0.3"])
        #expect(seeds.map(\.port) == [7000, 6379, 7002])
        #expect(seeds.allSatisfy { $0.username == "app" && $0.password == "s@cret" && $0.database == 0 })
        #expect(try RedisConfiguration.seeds(url: "redis://127.0.0.1:6391").map(\.port) == [6391])
    }

    @Test func aBadNodeIsNamed() {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration.seeds(url: "redis://a:1,b:99999") }
        #expect(error?.message.contains("port '99999' must be 1-65535") == true)
        let empty = #expect(throws: RedisError.self) { try RedisConfiguration.seeds(url: "redis://a:1,,b:2") }
        #expect(empty?.message.contains("node 2 of the list is empty") == true)
    }
}

/// Which Redis failures are worth the same command again (`RedisError.isTransient`).
@Suite struct RedisTransientErrorTests {
    @Test func notReadyFailingOverAndStaleRoutesAreTransient() {
        for message in ["LOADING Redis is loading the dataset in memory", "BUSY Redis is busy running a script",
                        "TRYAGAIN Multiple keys request during rehashing of slot", "MASTERDOWN Link with MASTER is down",
                        "CLUSTERDOWN The cluster is down", "READONLY You can't write against a read only replica."] {
            #expect(RedisError(.server, message).isTransient, "\(message)")
        }
        #expect(RedisError(.io, "Server closed the connection").isTransient)
        #expect(RedisError(.redirected, "MOVED 1 127.0.0.1:7000").isTransient)
    }

    @Test func refusalsAreNot() {
        for message in ["ERR unknown command", "WRONGTYPE Operation against a key holding the wrong kind of value",
                        "OOM command not allowed when used memory > 'maxmemory'", "NOSCRIPT No matching script"] {
            #expect(!RedisError(.server, message).isTransient, "\(message)")
        }
    }
}

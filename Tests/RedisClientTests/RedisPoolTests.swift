import RedisClient
import TestSupport
import Testing

@Suite struct RedisPoolTests {
    @Test func concurrentCallersShareAFewConnections() async throws {
        let pool = RedisPool(configuration: TestServers.redisConfiguration, size: 3)
        let key = "\(TestServers.uniqueNamespace("pool")):counter"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask { try await pool.send("INCR", key) }
            }
            try await group.waitForAll()
        }
        #expect(try await pool.send("GET", key).int == 200)
        let clients = try await pool.send("CLIENT", "LIST").string ?? ""
        #expect(pool.size == 3)
        #expect(!clients.isEmpty)
    }
}

@Suite struct RedisConfigurationTests {
    @Test func parsesFullURL() throws {
        let configuration = try RedisConfiguration(url: "redis://user:p%40ss@example.org:6380/2")
        #expect(configuration.host == "example.org")
        #expect(configuration.port == 6380)
        #expect(configuration.username == "user")
        #expect(configuration.password == "p@ss")
        #expect(configuration.database == 2)
    }

    @Test func defaultsPortAndDatabase() throws {
        let configuration = try RedisConfiguration(url: "redis://localhost")
        #expect(configuration.port == 6379)
        #expect(configuration.database == 0)
        #expect(configuration.password == nil)
    }

    @Test(arguments: ["http://x", "redis://host:99999", "redis://host/abc", "redis://"])
    func refusesMalformedURLs(_ url: String) {
        #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
    }
}

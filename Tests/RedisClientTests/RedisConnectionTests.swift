import Foundation
import RedisClient
import TestSupport
import Testing

@Suite struct RedisConnectionTests {
    let connection = RedisConnection(configuration: TestServers.redisConfiguration)
    let namespace = TestServers.uniqueNamespace("redis")

    @Test func pingAnswersPong() async throws {
        #expect(try await connection.send("PING") == .status("PONG"))
    }

    @Test func binaryAndUnicodeValuesRoundTripByteForByte() async throws {
        let binary: [UInt8] = [0, 1, 2, 0xff, 0xfe, 0, 13, 10, 36, 42]
        let unicode = "Grüße, 世界 🍓 \u{0}end"
        try await connection.send(RedisCommand(bytes: [Array("SET".utf8), Array("\(namespace):bin".utf8), binary]))
        try await connection.send("SET", "\(namespace):text", unicode)
        #expect(try await connection.send("GET", "\(namespace):bin") == .bulk(binary))
        #expect(try await connection.send("GET", "\(namespace):text").string == unicode)
        #expect(try await connection.send("STRLEN", "\(namespace):text") == .integer(Int64(unicode.utf8.count)))
    }

    @Test func pipelineReturnsEveryReplyInOrder() async throws {
        let commands = (0..<2000).map { RedisCommand("RPUSH", "\(namespace):list", String($0)) }
        let replies = try await connection.pipeline(commands)
        #expect(replies == (1...2000).map { .integer(Int64($0)) })
        let all = try await connection.send("LRANGE", "\(namespace):list", "0", "-1")
        #expect(all.array?.compactMap(\.string) == (0..<2000).map(String.init))
    }

    @Test func serverErrorKeepsConnectionUsable() async throws {
        try await connection.send("SET", "\(namespace):s", "text")
        let error = await #expect(throws: RedisError.self) { try await connection.send("INCR", "\(namespace):s") }
        #expect(error?.code == .server)
        #expect(error?.message.contains("not an integer") == true)
        #expect(try await connection.send("PING") == .status("PONG"))
        let replies = try await connection.pipeline([RedisCommand("INCR", "\(namespace):s"), RedisCommand("PING")])
        #expect(replies.count == 2)
        if case .error = replies[0] {} else { Issue.record("expected an error reply in place, got \(replies[0])") }
        #expect(replies[1] == .status("PONG"))
    }

    @Test func nilAndArrayRepliesAreTyped() async throws {
        #expect(try await connection.send("GET", "\(namespace):missing") == .null)
        try await connection.send("HSET", "\(namespace):h", "a", "1")
        #expect(try await connection.send("HGETALL", "\(namespace):h") == .array([.bulk(Array("a".utf8)), .bulk(Array("1".utf8))]))
    }

    @Test func connectFailureIsAConnectError() async throws {
        let nowhere = RedisConnection(configuration: RedisConfiguration(host: "127.0.0.1", port: 1, connectTimeout: .milliseconds(500)))
        let error = await #expect(throws: RedisError.self) { try await nowhere.send("PING") }
        #expect(error?.code == .connect)
        #expect(error?.isConnectionFailure == true)
    }

    @Test func reconnectsAfterTheServerRestarts() async throws {
        try await SpareRedisServer.with { server in
            let spare = RedisConnection(configuration: RedisConfiguration(port: server.port))
            try await spare.send("SET", "k", "before")
            await server.stopOffPool()
            let error = await #expect(throws: RedisError.self) { try await spare.send("GET", "k") }
            #expect(error?.isConnectionFailure == true)
            try await server.startOffPool()
            #expect(try await spare.send("PING") == .status("PONG"))
            #expect(try await spare.send("GET", "k") == .null)  // no persistence on the spare server
        }
    }
}

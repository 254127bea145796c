import RedisClient
import TestSupport
import Testing

/// Replies are built in a per-connection arena and copied out before the next one is read.
@Suite struct RedisReplyArenaTests {
    let connection = RedisConnection(configuration: TestServers.redisConfiguration)
    let namespace = TestServers.uniqueNamespace("arena")

    @Test func repliesOfManyBlocksAreCopiedWholeAndTheArenaShrinksBackLater() async throws {
        // 3 MiB of values in one reply: many 64 KiB blocks.
        let value = String(repeating: "x", count: 100_000)
        let count = 30
        try await connection.pipeline((0..<count).map { RedisCommand("RPUSH", "\(namespace):big", "\($0):" + value) })
        let all = try await connection.send("LRANGE", "\(namespace):big", "0", "-1")
        #expect(all.array?.compactMap(\.string) == (0..<count).map { "\($0):" + value })
        // Kept for the next large replies, and nothing of the big one shows through.
        #expect(await connection.replyArenaCapacity >= 3 << 20)
        #expect(try await connection.send("LLEN", "\(namespace):big") == .integer(Int64(count)))
        #expect(try await connection.send("GET", "\(namespace):missing") == .null)
        // Freed after 256 replies that did not need it.
        _ = try await connection.pipeline(Array(repeating: RedisCommand("PING"), count: 300))
        #expect(await connection.replyArenaCapacity == 64 << 10)
    }

    @Test func nestedRepliesOfEveryTypeInOnePipeline() async throws {
        try await connection.send("XADD", "\(namespace):s", "1-1", "a", "1", "b", "")
        let replies = try await connection.pipeline([
            RedisCommand("XRANGE", "\(namespace):s", "-", "+"),
            RedisCommand("INCR", "\(namespace):n"),
            RedisCommand("GET", "\(namespace):missing"),
            RedisCommand("HGETALL", "\(namespace):missing"),
            RedisCommand("NOSUCHCOMMAND"),
            RedisCommand("PING"),
        ])
        #expect(replies[0] == .array([.array([.bulk(Array("1-1".utf8)), .array([.bulk(Array("a".utf8)), .bulk(Array("1".utf8)), .bulk(Array("b".utf8)), .bulk([])])])]))
        #expect(replies[1] == .integer(1))
        #expect(replies[2] == .null)
        #expect(replies[3] == .array([]))
        if case .error(let message) = replies[4] { #expect(message.contains("unknown command")) } else { Issue.record("got \(replies[4])") }
        #expect(replies[5] == .status("PONG"))
    }
}

import RedisClient
import TestSupport
import Testing

@Suite struct RedisStreamReplyTests {
    let connection = RedisConnection(configuration: TestServers.redisConfiguration)
    let namespace = TestServers.uniqueNamespace("stream")

    /// Shaped replies give the same entries as the generic tree, for every stream read.
    @Test func shapedRepliesMatchTheGenericForm() async throws {
        let key = "\(namespace):s"
        for n in 0..<5 {
            try await connection.send("XADD", key, "*", "n", String(n), "text", "Grüße 🍓 \(n)", "empty", "")
        }
        let range = RedisCommand("XRANGE", key, "-", "+")
        let generic = try await connection.send(range)
        let shaped = try await connection.send(range.replying(as: .streamEntries))
        guard case .streamEntries(let entries) = shaped else { Issue.record("not shaped: \(shaped)"); return }
        #expect(entries.count == 5)
        #expect(entries == generic.entries)
        #expect(entries[3].fields.map(\.0) == ["n", "text", "empty"])
        #expect(entries[3].fields.map(\.1) == ["3", "Grüße 🍓 3", ""])

        let read = try await connection.send(RedisCommand("XREAD", "COUNT", "2", "STREAMS", key, "0").replying(as: .firstStreamEntries))
        #expect(read.entries == Array(entries.prefix(2)))
        try await connection.send("XGROUP", "CREATE", key, "g", "0")
        let group = try await connection.send(RedisCommand("XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", key, ">")
            .replying(as: .firstStreamEntries))
        #expect(group.entries == entries)
    }

    /// A read that times out is no entries; an error reply stays an error.
    @Test func timeoutsAreEmptyAndErrorsStayErrors() async throws {
        let key = "\(namespace):empty"
        let timedOut = try await connection.send(RedisCommand("XREAD", "BLOCK", "10", "STREAMS", key, "$").replying(as: .firstStreamEntries))
        #expect(timedOut.entries == [])
        try await connection.send("SET", "\(namespace):plain", "x")
        let replies = try await connection.pipeline([RedisCommand("XRANGE", "\(namespace):plain", "-", "+").replying(as: .streamEntries)])
        if case .error(let message) = replies[0] { #expect(message.contains("WRONGTYPE")) } else { Issue.record("expected an error, got \(replies[0])") }
    }
}

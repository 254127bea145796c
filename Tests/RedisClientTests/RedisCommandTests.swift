import RedisClient
import Testing

@Suite struct RedisCommandTests {
    @Test func argumentsKeepTheirBytesAndBoundaries() {
        let binary: [UInt8] = [0, 255, 13, 10]
        let command = RedisCommand(bytes: [Array("SET".utf8), [], binary, Array("ü".utf8)])
        #expect(command.name == "SET")
        #expect(command.arguments == [Array("SET".utf8), [], binary, Array("ü".utf8)])
        #expect(RedisCommand("SET", "", "ü").arguments == [Array("SET".utf8), [], Array("ü".utf8)])
    }

    @Test func equalityFollowsTheArgumentsNotTheirConcatenation() {
        #expect(RedisCommand("GET", "ab") == RedisCommand(["GET", "ab"]))
        #expect(RedisCommand("GET", "ab") != RedisCommand("GET", "a", "b"))
        #expect(RedisCommand("GET", "ab") != RedisCommand("GET", "ab").replying(as: .streamEntries))
    }
}

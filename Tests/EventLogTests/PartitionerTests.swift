import EventLog
import Foundation
import TestSupport
import Testing

@Suite struct PartitionerTests {
    @Test(arguments: [("", UInt32(2_166_136_261)), ("a", 0xe40c_292c), ("foobar", 0xbf9c_f968), ("🍓", 0x5ed6_b51c)])
    func fnv1aMatchesPublishedVectors(_ key: String, _ hash: UInt32) {
        #expect(Partitioner.fnv1a32(key) == hash)
    }

    @Test func partitionIsHashModuloCount() {
        let partitioner = Partitioner(partitions: 4)
        #expect(partitioner.partition(for: "foobar") == Int(0xbf9c_f968 % 4))
    }

    /// The Lua function refuses an event sent to a partition its key does not hash to, so a
    /// successful append of many keys proves Swift and Lua compute the same partition.
    @Test func luaFunctionAgreesWithSwiftOnEveryKey() async throws {
        let log = try await TestLog.open(partitions: 7)
        var keys = (0..<300).map { _ in UUID().uuidString.lowercased() }
        keys += ["", "a", "topic:ünïcödé", "🍓🍓", String(repeating: "x", count: 250)].filter { !$0.isEmpty }
        for key in keys {
            let draft = EventDraft(type: "project.created", data: .object(["project_id": .string(UUID().uuidString.lowercased()), "name": .string("p")]))
            var envelope = try log.prepare(draft)
            envelope.partitionKey = key
            let result = try await log.append(prepared: envelope)
            #expect(result.position.partition == Partitioner(partitions: 7).partition(for: key))
        }
    }

    @Test func wrongPartitionIsRefusedByTheFunction() async throws {
        let log = try await TestLog.open(partitions: 4)
        let envelope = try log.prepare(EventDraft(type: "project.created",
                                                  data: .object(["project_id": .string(UUID().uuidString.lowercased()), "name": .string("p")])))
        let wrong = (log.partition(of: envelope) + 1) % 4
        let output = try TestServers.runCapturing("redis-cli", ["-u", TestServers.redisURL, "FCALL", "berrys_append", "1",
                                                                log.configuration.streamKey(partition: wrong), "any"]
                                                  + envelope.fields.flatMap { [$0.0, $0.1] })
        #expect(output.stdout.contains("BERRYS_INVALID partition key"))
    }
}

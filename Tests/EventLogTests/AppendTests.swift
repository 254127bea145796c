import BerrysJSON
import EventLog
import Foundation
import RedisClient
import TestSupport
import Testing

@Suite struct AppendTests {
    static func project(_ id: String = UUID().uuidString.lowercased(), name: String = "Survey") -> EventDraft {
        EventDraft(type: "project.created", data: .object(["project_id": .string(id), "name": .string(name)]))
    }

    static func projectStatus(_ id: String, _ from: String, _ to: String) -> EventDraft {
        EventDraft(type: "project.status_changed", data: .object([
            "project_id": .string(id), "previous_status": .string(from), "new_status": .string(to)]))
    }

    @Test(arguments: TestServers.RedisDeployment.allCases)
    func appendAssignsGapFreeSequencesAndReadsBack(on deployment: TestServers.RedisDeployment) async throws {
        let log = try await TestLog.open(on: deployment)
        let id = UUID().uuidString.lowercased()
        let first = try await log.append(Self.project(id), expected: .none)
        let second = try await log.append(Self.projectStatus(id, "DRAFT", "PLANNING"), expected: .exactly(1))
        #expect(first.sequence == 1 && second.sequence == 2)
        #expect(first.position.partition == second.position.partition)
        let events = try await log.read(partition: first.position.partition)
        #expect(events.map(\.id) == [first.id, second.id])
        #expect(events.map(\.sequence) == [1, 2])
        #expect(events[0].subject == id)
        #expect(events[1].position == second.position)
    }

    /// Logs written by an older append function keep their sequences ("sequence stream-id event-id").
    @Test func sequencesRecordedByAnOlderFunctionVersionAreContinued() async throws {
        let log = try await TestLog.open()
        let id = UUID().uuidString.lowercased()
        let first = try await log.append(Self.project(id))
        let redis = RedisPool(configuration: TestServers.redisConfiguration, size: 1)
        let key = "\(log.configuration.namespace):seq:{\(first.position.partition)}"
        try await redis.send("HSET", key, id, "7 \(first.position.streamID) old-event-id")
        let next = try await log.append(Self.projectStatus(id, "DRAFT", "PLANNING"), expected: .exactly(7))
        #expect(next.sequence == 8)
    }

    @Test(arguments: TestServers.RedisDeployment.allCases)
    func duplicateIdReturnsTheOriginalAndWritesNothing(on deployment: TestServers.RedisDeployment) async throws {
        let log = try await TestLog.open(on: deployment)
        var draft = Self.project()
        draft.id = "dup-\(UUID().uuidString)"
        let original = try await log.append(draft)
        let again = try await log.append(draft)
        #expect(again.duplicate && !original.duplicate)
        #expect(again.position == original.position)
        #expect(again.sequence == original.sequence)
        #expect(try await log.read(partition: original.position.partition).count == 1)
    }

    @Test func retryOfTheLatestEventIsRecognisedEvenWithoutAWindow() async throws {
        let log = try await TestLog.open(deduplicationWindow: .zero)
        var draft = Self.project()
        draft.id = "latest-\(UUID().uuidString)"
        let original = try await log.append(draft)
        let again = try await log.append(draft)
        #expect(again.duplicate)
        #expect(again.position == original.position)
    }

    @Test(arguments: TestServers.RedisDeployment.allCases)
    func wrongExpectedSequenceIsAConflictShowingBothNumbers(on deployment: TestServers.RedisDeployment) async throws {
        let log = try await TestLog.open(on: deployment)
        let id = UUID().uuidString.lowercased()
        _ = try await log.append(Self.project(id))
        let error = await #expect(throws: EventLogError.self) {
            try await log.append(Self.projectStatus(id, "DRAFT", "PLANNING"), expected: .exactly(5))
        }
        #expect(error?.code == .conflict)
        #expect(error?.message.contains("expected sequence 5, actual sequence 1") == true)
        let none = await #expect(throws: EventLogError.self) { try await log.append(Self.projectStatus(id, "DRAFT", "PLANNING"), expected: .none) }
        #expect(none?.code == .conflict)
    }

    @Test(arguments: TestServers.RedisDeployment.allCases)
    func racingPublishersWinEachSequenceExactlyOnce(on deployment: TestServers.RedisDeployment) async throws {
        let log = try await TestLog.open(poolSize: 8, on: deployment)
        let id = UUID().uuidString.lowercased()
        _ = try await log.append(Self.project(id), expected: .none)
        let rounds = 15
        let wins = try await withThrowingTaskGroup(of: [Int].self) { group in
            for publisher in 0..<20 {
                group.addTask {
                    var won: [Int] = []
                    var known = 1
                    while known <= rounds {
                        var draft = Self.projectStatus(id, "DRAFT", "PLANNING")
                        draft.source = "publisher-\(publisher)"
                        do {
                            let result = try await log.append(draft, expected: .exactly(known))
                            won.append(result.sequence)
                            known = result.sequence
                        } catch let error as EventLogError where error.code == .conflict {
                            let actual = Int(error.message.split(separator: " ").last!)!
                            known = actual
                        }
                    }
                    return won
                }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(wins.sorted() == Array(2...(rounds + 1)))
        let partition = log.partitioner.partition(for: id)
        let events = try await log.read(partition: partition, count: 1000).filter { $0.subject == id }
        #expect(events.compactMap(\.sequence) == Array(1...(rounds + 1)))
    }

    @Test(arguments: TestServers.RedisDeployment.allCases)
    func batchAppendIsPipelinedAndReportsEachResult(on deployment: TestServers.RedisDeployment) async throws {
        let log = try await TestLog.open(on: deployment)
        let envelopes = try (0..<2500).map { _ in try log.prepare(Self.project()) }
        var withDuplicate = envelopes
        withDuplicate.append(envelopes[0])
        let results = try await log.appendBatch(withDuplicate, chunkSize: 500)
        #expect(results.count == 2501)
        let appended = results.compactMap { try? $0.get() }
        #expect(appended.filter { !$0.duplicate }.count == 2500)
        #expect(appended.last?.duplicate == true)
        var total = 0
        for partition in 0..<4 { total += try await log.read(partition: partition, count: 10_000).count }
        #expect(total == 2500)
    }

    @Test func redisCliCanPublishThroughTheFunction() async throws {
        let log = try await TestLog.open()
        let id = UUID().uuidString.lowercased()
        let partition = log.partitioner.partition(for: id)
        let arguments = ["-u", TestServers.redisURL, "FCALL", "berrys_append", "1", log.configuration.streamKey(partition: partition), "none",
                         "specversion", "1.0", "id", "cli-\(id)", "source", "redis-cli", "type", "project.created",
                         "dataversion", "1", "subject", id, "time", "2026-11-25T13:45:00Z", "datacontenttype", "application/json",
                         "data", #"{"project_id":"\#(id)","name":"From redis-cli"}"#]
        let output = try TestServers.run("redis-cli", arguments)
        #expect(output.contains("appended"))
        let events = try await log.read(partition: partition)
        #expect(events.first?.source == "redis-cli")
        #expect(events.first?.sequence == 1)
        #expect(try TestServers.run("redis-cli", arguments).contains("duplicate"))
    }
}

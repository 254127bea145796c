import EventLog
import Foundation
import RedisClient
import TestSupport
import Testing

/// `berrys_append_batch` and `EventLog.appendBatch`, against a real Redis: a batch gives each
/// event the result it would have had appended alone, in order.
@Suite struct BatchAppendTests {
    /// What a result says, without the stream ids (which differ between two logs).
    private static func outcome(_ result: Result<AppendResult, EventLogError>) -> String {
        switch result {
        case .success(let appended): return "\(appended.duplicate ? "duplicate" : "appended") \(appended.sequence)"
        case .failure(let error): return "\(error.code.rawValue)"
        }
    }

    @Test(arguments: TestServers.RedisDeployment.allCases)
    func aBatchGivesEachEventTheResultItWouldHaveHadAlone(on deployment: TestServers.RedisDeployment) async throws {
        let oneByOne = try await TestLog.open(on: deployment)
        let batched = try await TestLog.open(on: deployment)
        let project = UUID().uuidString.lowercased()
        let created = try oneByOne.prepare(AppendTests.project(project))
        let planning = try oneByOne.prepare(AppendTests.projectStatus(project, "DRAFT", "PLANNING"))
        let stale = try oneByOne.prepare(AppendTests.projectStatus(project, "DRAFT", "CANCELLED"))
        let active = try oneByOne.prepare(AppendTests.projectStatus(project, "PLANNING", "IN_PROGRESS"))
        let other = try oneByOne.prepare(AppendTests.project())
        let events: [(envelope: EventEnvelope, expected: ExpectedSequence)] = [
            (created, .none), (other, .any), (planning, .exactly(1)), (stale, .exactly(1)),
            (created, .none), (active, .exactly(2)), (other, .exactly(7)), (created, .any),
        ]
        var alone: [String] = []
        for (envelope, expected) in events {
            do {
                alone.append(Self.outcome(.success(try await oneByOne.append(prepared: envelope, expected: expected))))
            } catch let error as EventLogError {
                alone.append(Self.outcome(.failure(error)))
            }
        }
        let together = try await batched.appendBatch(events).map(Self.outcome)
        #expect(alone == ["appended 1", "appended 1", "appended 2", "BERRYS_CONFLICT", "duplicate 1", "appended 3",
                          "duplicate 1", "duplicate 1"])
        #expect(together == alone)
        let partition = batched.partitioner.partition(for: project)
        let stored = try await batched.read(partition: partition).filter { $0.subject == project }
        #expect(stored.map(\.id) == [created.id, planning.id, active.id])
        #expect(stored.map(\.sequence) == [1, 2, 3])
    }

    /// 250 events of one subject span three transactions (chunks of 100): sequences stay
    /// gap-free and each expected sequence is checked against the one before it.
    @Test(arguments: TestServers.RedisDeployment.allCases)
    func oneSubjectAcrossSeveralCallsKeepsItsSequence(on deployment: TestServers.RedisDeployment) async throws {
        let log = try await TestLog.open(on: deployment)
        let project = UUID().uuidString.lowercased()
        var events: [(envelope: EventEnvelope, expected: ExpectedSequence)] = [(try log.prepare(AppendTests.project(project)), .none)]
        for index in 1..<250 {
            let from = index % 2 == 1 ? "DRAFT" : "PLANNING", to = index % 2 == 1 ? "PLANNING" : "DRAFT"
            events.append((try log.prepare(AppendTests.projectStatus(project, from, to)), .exactly(index)))
        }
        let results = try await log.appendBatch(events, chunkSize: 100)
        #expect(try results.map { try $0.get().sequence } == Array(1...250))
        let stored = try await log.read(partition: log.partitioner.partition(for: project), count: 1000)
        #expect(stored.compactMap(\.sequence) == Array(1...250))
    }

    /// Sent raw, an event the function refuses gets its error in its place, naming the
    /// attribute and the rule; the events around it are appended.
    @Test(arguments: TestServers.RedisDeployment.allCases)
    func aRefusedEventInTheMiddleLeavesTheOthersAppended(on deployment: TestServers.RedisDeployment) async throws {
        let log = try await TestLog.open(on: deployment)
        let subject = UUID().uuidString.lowercased()
        let partition = log.partitioner.partition(for: subject)
        func event(_ id: String, dropping: String? = nil) -> [String] {
            let pairs = [("specversion", "1.0"), ("id", id), ("source", "test"), ("type", "project.created"), ("dataversion", "1"),
                         ("subject", subject), ("time", "2026-12-03T12:00:00Z"), ("datacontenttype", "application/json"),
                         ("data", #"{"project_id":"\#(subject)","name":"Raw"}"#)].filter { $0.0 != dropping }
            return ["any", String(pairs.count)] + pairs.flatMap { [$0.0, $0.1] }
        }
        let redis = RedisPool(seeds: deployment.seeds, size: 1)
        let reply = try await redis.send(RedisCommand(["FCALL", "berrys_append_batch", "1", log.configuration.streamKey(partition: partition)]
                                                      + event("a-\(subject)") + event("b-\(subject)", dropping: "time") + event("c-\(subject)")))
        let elements = try #require(reply.array)
        #expect(elements.count == 3)
        #expect(elements[0].array?.last?.string == "appended")
        #expect(elements[1] == .error("BERRYS_INVALID missing required attribute time"))
        #expect(elements[2].array?[1].int == 2)
        #expect(try await log.read(partition: partition).map(\.id) == ["a-\(subject)", "c-\(subject)"])

        let malformed = try await redis.pipeline([RedisCommand(["FCALL", "berrys_append_batch", "1", log.configuration.streamKey(partition: partition),
                                                           "any", "40", "id", "x"])])[0]
        #expect(malformed.errorMessage?.contains("event 1: expected <expected> <pair count> <field> <value>") == true)
    }

    /// Batches and single appends racing on one subject: a batch whose partition another append
    /// wrote between its reads and its EXEC runs nothing and is planned again, so the
    /// subject's sequence stays gap-free and every event is in the log once.
    @Test(arguments: TestServers.RedisDeployment.allCases)
    func batchesAndSingleAppendsRacingOnOneSubjectKeepItsSequence(on deployment: TestServers.RedisDeployment) async throws {
        let log = try await TestLog.open(on: deployment)
        let project = UUID().uuidString.lowercased()
        let batched = try (0..<300).map { _ in try log.prepare(AppendTests.projectStatus(project, "DRAFT", "PLANNING")) }
        let single = try (0..<100).map { _ in try log.prepare(AppendTests.projectStatus(project, "PLANNING", "DRAFT")) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for start in stride(from: 0, to: batched.count, by: 30) {
                    for result in try await log.appendBatch(Array(batched[start..<start + 30])) { _ = try result.get() }
                }
            }
            group.addTask {
                for envelope in single { _ = try await log.append(prepared: envelope) }
            }
            try await group.waitForAll()
        }
        let stored = try await log.read(partition: log.partitioner.partition(for: project), count: 1000).filter { $0.subject == project }
        #expect(stored.compactMap(\.sequence) == Array(1...400))
        #expect(Set(stored.map(\.id)) == Set((batched + single).map(\.id)))
    }
}

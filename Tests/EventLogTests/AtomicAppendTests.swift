import BerrysJSON
import EventLog
import Foundation
import RedisClient
import Synchronization
import TestSupport
import Testing

/// Atomic sets against a real Redis (one node and the cluster): one table of cases runs
/// against both ways in, the transaction path (`EventLog.appendAtomically`) and the function
/// raw clients call (`berrys_append_atomic`), and each must give the same answer.
@Suite struct AtomicAppendTests {
    /// Where a set goes in, and on which Redis.
    enum Target: String, CaseIterable, CustomStringConvertible, Sendable {
        case transactionSingle, functionSingle, transactionCluster, functionCluster
        var viaFunction: Bool { self == .functionSingle || self == .functionCluster }
        var deployment: TestServers.RedisDeployment { self == .transactionSingle || self == .functionSingle ? .single : .cluster }
        var description: String { rawValue }
    }

    /// What a case must do.
    enum Expected: Equatable {
        /// Appended whole, with these sequences.
        case written([Int])
        /// Every id was in the log: the originals' places.
        case duplicateWhole
        /// Refused, nothing written: one of these codes, naming this event.
        case refused(Set<EventLogError.Code>, index: Int)
    }

    /// A case: what the log holds first, the set (with the event made invalid, if any), the outcome.
    struct Scenario {
        var before: [(envelope: EventEnvelope, expected: ExpectedSequence)] = []
        var set: [(envelope: EventEnvelope, expected: ExpectedSequence)]
        var invalidAt: Int?
        var expected: Expected
    }

    /// The shared table.
    enum Case: String, CaseIterable, CustomStringConvertible, Sendable {
        case newSubject, staleConditionOnTheFirstEvent, staleConditionOnALaterEvent, conditionsFollowTheSet
        case twoSubjectsOneConflicting, twoSubjectsWritten, duplicateWhole, duplicatePartial, oneIDTwice
        case invalidEventInTheMiddle, severalPartitions
        var description: String { rawValue }

        func scenario(_ log: EventLog) throws -> Scenario {
            let a = UUID().uuidString.lowercased()
            let b = AtomicAppendTests.subject(log, samePartitionAs: a, same: true)
            func created(_ id: String) throws -> EventEnvelope { try log.prepare(AtomicAppendTests.created(id)) }
            func status(_ id: String) throws -> EventEnvelope { try log.prepare(AtomicAppendTests.status(id)) }
            switch self {
            case .newSubject:
                return Scenario(set: [(try created(a), .none), (try status(a), .any)], expected: .written([1, 2]))
            case .staleConditionOnTheFirstEvent:
                return Scenario(before: [(try created(a), .any)], set: [(try status(a), .none), (try status(a), .any)],
                                expected: .refused([.conflict], index: 0))
            case .staleConditionOnALaterEvent:
                return Scenario(before: [(try created(a), .any)], set: [(try status(a), .exactly(1)), (try status(a), .exactly(1))],
                                expected: .refused([.conflict], index: 1))
            case .conditionsFollowTheSet:
                return Scenario(before: [(try created(a), .any)], set: [(try status(a), .exactly(1)), (try status(a), .exactly(2))],
                                expected: .written([2, 3]))
            case .twoSubjectsOneConflicting:
                return Scenario(before: [(try created(a), .any), (try created(b), .any)],
                                set: [(try status(a), .exactly(1)), (try status(b), .none)], expected: .refused([.conflict], index: 1))
            case .twoSubjectsWritten:
                return Scenario(set: [(try created(a), .none), (try created(b), .none), (try status(a), .exactly(1))],
                                expected: .written([1, 1, 2]))
            case .duplicateWhole:
                let set = [(try created(a), ExpectedSequence.none), (try status(a), .exactly(1))]
                return Scenario(before: set, set: set, expected: .duplicateWhole)
            case .duplicatePartial:
                let first = try created(a)
                return Scenario(before: [(first, .any)], set: [(first, .any), (try status(a), .any)],
                                expected: .refused([.partialDuplicate], index: 0))
            case .oneIDTwice:
                let event = try created(a)
                return Scenario(set: [(event, .any), (event, .any)], expected: .refused([.partialDuplicate], index: 1))
            case .invalidEventInTheMiddle:
                return Scenario(set: [(try created(a), .none), (try created(b), .any), (try status(a), .any)], invalidAt: 1,
                                expected: .refused([.invalidEnvelope, .schemaViolation], index: 1))
            case .severalPartitions:
                let elsewhere = AtomicAppendTests.subject(log, samePartitionAs: a, same: false)
                return Scenario(set: [(try created(a), .none), (try created(elsewhere), .none)],
                                expected: .refused([.crossPartition], index: 1))
            }
        }
    }

    @Test(arguments: Case.allCases, Target.allCases)
    func theCaseTableGivesTheSameAnswerOnEveryPath(_ testCase: Case, _ target: Target) async throws {
        let log = try await TestLog.open(on: target.deployment)
        let scenario = try testCase.scenario(log)
        let prior = try await log.appendAtomically(scenario.before)
        let partition = log.partition(of: scenario.set[0].envelope)
        let subjects = Array(Set(scenario.set.map(\.envelope.subject)))
        let snapshot = try await Self.snapshot(log, partition: partition, subjects: subjects)
        let outcome: Result<[AppendResult], EventLogError>
        do {
            outcome = .success(try await Self.append(scenario, via: target, log: log, partition: partition))
        } catch let error as EventLogError {
            outcome = .failure(error)
        }
        switch (scenario.expected, outcome) {
        case (.written(let sequences), .success(let results)):
            #expect(results.map(\.sequence) == sequences)
            #expect(results.allSatisfy { !$0.duplicate })
            let stored = try await log.read(partition: partition, count: 1000)
            let ids = scenario.set.map(\.envelope.id)
            let first = try #require(stored.firstIndex { $0.id == ids[0] })
            #expect(stored[first..<min(first + ids.count, stored.count)].map(\.id) == ids, "the set lies together in the log")
        case (.duplicateWhole, .success(let results)):
            #expect(results.allSatisfy { $0.duplicate })
            #expect(results.map(\.position) == prior.map(\.position))
            #expect(try await Self.snapshot(log, partition: partition, subjects: subjects) == snapshot)
        case (.refused(let codes, let index), .failure(let error)):
            #expect(codes.contains(error.code), "\(error)")
            #expect(error.index == index, "\(error)")
            #expect(try await Self.snapshot(log, partition: partition, subjects: subjects) == snapshot, "nothing was written")
        default:
            Issue.record("\(testCase) via \(target): expected \(scenario.expected), got \(outcome)")
        }
    }

    /// Writers race on one subject, each round every writer sending a pair under the same
    /// expected sequence, while a reader follows the partition and another writer appends
    /// single events to a neighbour subject: exactly one pair wins each round, the subject's
    /// sequences are gap-free, each winning pair is adjacent in the log, and the reader never
    /// sees a pair's first event without its second already there.
    @Test(arguments: Target.allCases)
    func writersRacingOnOneSubjectLeaveOneWholePairPerRound(_ target: Target) async throws {
        let log = try await TestLog.open(on: target.deployment)
        let subject = UUID().uuidString.lowercased()
        let neighbour = Self.subject(log, samePartitionAs: subject, same: true)
        let partition = log.partitioner.partition(for: subject)
        _ = try await log.appendAtomically([(try log.prepare(Self.created(subject)), .none), (try log.prepare(Self.created(neighbour)), .none)])
        let rounds = 30, writers = 4
        let stop = ManagedFlag()
        let halves = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {  // the reader: every first event of a pair must have its second right after it
                var after = StreamID.zero, halves = 0
                while !stop.isSet {
                    for event in try await log.read(partition: partition, after: after, count: 1) {
                        after = try #require(event.position?.streamID)
                        guard event.id.hasSuffix("-first") else { continue }
                        let next = try await log.read(partition: partition, after: after, count: 1)
                        if next.first?.id != event.id.replacingOccurrences(of: "-first", with: "-second") { halves += 1 }
                    }
                }
                return halves
            }
            group.addTask {  // noise on the neighbour, between the pairs
                while !stop.isSet { _ = try await log.append(prepared: try log.prepare(Self.status(neighbour))) }
                return 0
            }
            for round in 0..<rounds {
                let winners = try await withThrowingTaskGroup(of: Bool.self) { racers in
                    for writer in 0..<writers {
                        racers.addTask {
                            var first = try log.prepare(Self.status(subject)), second = try log.prepare(Self.status(subject))
                            first.id = "r\(round)-w\(writer)-\(subject)-first"
                            second.id = "r\(round)-w\(writer)-\(subject)-second"
                            let set: [(envelope: EventEnvelope, expected: ExpectedSequence)] = [(first, .exactly(1 + 2 * round)), (second, .any)]
                            do {
                                _ = try await Self.append(Scenario(set: set, expected: .written([])), via: target, log: log, partition: partition)
                                return true
                            } catch let error as EventLogError where error.code == .conflict {
                                return false
                            }
                        }
                    }
                    return try await racers.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(winners == 1, "round \(round): \(winners) winners")
            }
            stop.set()
            return try await group.reduce(0, +)
        }
        #expect(halves == 0, "the reader saw \(halves) first events without their second")
        var stored: [EventEnvelope] = [], after = StreamID.zero
        while true {
            let page = try await log.read(partition: partition, after: after, count: 1000)
            guard let last = page.last?.position?.streamID else { break }
            stored += page
            after = last
        }
        let pairs = stored.filter { $0.subject == subject }
        #expect(pairs.compactMap(\.sequence) == Array(1...(1 + 2 * rounds)))
        for (index, event) in stored.enumerated() where event.id.hasSuffix("-first") {
            #expect(index + 1 < stored.count && stored[index + 1].id == event.id.replacingOccurrences(of: "-first", with: "-second"))
        }
    }

    /// A set appended through `target`.
    static func append(_ scenario: Scenario, via target: Target, log: EventLog, partition: Int) async throws -> [AppendResult] {
        if target.viaFunction {
            var command = log.atomicFunctionCommand(scenario.set, partition: partition)
            if let invalid = scenario.invalidAt {
                // Raw clients send what they like: this event has no time.
                var events = scenario.set
                events[invalid].envelope.time = ""
                command = log.atomicFunctionCommand(events, partition: partition)
            }
            let reply = try await log.redis.sendReturningErrors(command)
            return try EventLog.atomicResults(of: reply, ids: scenario.set.map(\.envelope.id), partition: partition)
        }
        var drafts = try scenario.set.map { event in
            var draft = try EventDraft(cloudEvent: event.envelope.cloudEvent)
            draft.expected = event.expected
            return draft
        }
        if let invalid = scenario.invalidAt { drafts[invalid].data = .object(["name": .number(1)]) }
        return try await log.appendAtomically(drafts)
    }

    /// The partition's length and the subjects' sequence records: what a refused set must leave as it was.
    static func snapshot(_ log: EventLog, partition: Int, subjects: [String]) async throws -> [String] {
        let length = try await log.length(partition: partition)
        let records = try await log.redis.send(RedisCommand(["HMGET", log.configuration.keys.sequences(partition: partition)] + subjects))
        return ["\(length)"] + (records.array ?? []).map { $0.string ?? "-" }
    }

    /// A new subject in `other`'s partition (`same`) or in another one.
    static func subject(_ log: EventLog, samePartitionAs other: String, same: Bool) -> String {
        let partition = log.partitioner.partition(for: other)
        while true {
            let candidate = UUID().uuidString.lowercased()
            if (log.partitioner.partition(for: candidate) == partition) == same { return candidate }
        }
    }

    static func created(_ project: String) -> EventDraft {
        EventDraft(type: "project.created", data: .object(["project_id": .string(project), "name": .string("Atomic")]))
    }

    static func status(_ project: String) -> EventDraft {
        EventDraft(type: "project.status_changed", data: .object([
            "project_id": .string(project), "previous_status": .string("DRAFT"), "new_status": .string("PLANNING")]))
    }
}

/// A flag set once, read from several tasks.
final class ManagedFlag: Sendable {
    private let state = Mutex(false)
    var isSet: Bool { state.withLock { $0 } }
    func set() { state.withLock { $0 = true } }
}

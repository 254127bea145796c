import BerrysDomain
import EventLog
import Foundation
import Projections
import TestSupport
import Testing

/// The decide helper: a history loaded from both tiers, and decisions that stay consistent
/// while several deciders race on one subject.
@Suite struct SubjectDeciderTests {
    /// A project's status, folded from its events.
    static func status(_ current: ProjectStatus?, _ event: EventEnvelope) -> ProjectStatus? {
        guard event.type == ProjectStatusChanged.eventType else { return .draft }
        return event.data["new_status"]?.stringValue.flatMap(ProjectStatus.init(rawValue:))
    }

    static func change(_ project: String, _ from: ProjectStatus, _ to: ProjectStatus) throws -> EventDraft {
        try ProjectStatusChanged(projectID: project, previousStatus: from, newStatus: to).draft()
    }

    /// Archived and trimmed from Redis, then more in Redis alone: the loader gets all of it in
    /// order; without the archive it says which tier is missing.
    @Test func aHistoryLoadsFromTheArchiveAndRedisAcrossTheTrim() async throws {
        let harness = try await ProjectionHarness.make(partitions: 1)
        let log = harness.log
        let project = UUID().uuidString.lowercased()
        _ = try await log.append(try ProjectCreated(projectID: project, name: "Tiered").draft(), expected: .none)
        for step in 0..<4 { _ = try await log.append(try Self.change(project, step % 2 == 0 ? .draft : .planning, step % 2 == 0 ? .planning : .draft)) }
        try await harness.project([try ProjectionHarness.archive])
        _ = try await log.trim(partition: 0, below: try await log.lastStreamID(partition: 0).successor, maximumEntries: 1000)
        #expect(try await log.trimState(partition: 0).length == 0)
        for _ in 0..<2 { _ = try await log.append(try Self.change(project, .draft, .draft)) }

        let loaded = try await SubjectLoader(log: log, archive: ArchiveSource(pool: harness.pool)).load(subject: project)
        #expect(loaded.sequence == 7)
        #expect(loaded.events.compactMap(\.sequence) == Array(1...7))
        await #expect(throws: EventLogError.self) { try await SubjectLoader(log: log, archive: nil).load(subject: project) }
        #expect(try await SubjectLoader(log: log, archive: nil).load(subject: UUID().uuidString).events.isEmpty)
    }

    /// Four deciders, ten decisions each, on one hot project; each decision is a pair
    /// (DRAFT → PLANNING → DRAFT) taken on the state it loaded. Conflicts are retried on fresh
    /// history, so every decision lands once, whole, and every event follows its predecessor.
    @Test func racingDecidersEachLandWholeOnTheStateTheyDecidedOn() async throws {
        let log = try await TestLog.open()
        let project = UUID().uuidString.lowercased()
        _ = try await log.append(try ProjectCreated(projectID: project, name: "Hot").draft(), expected: .none)
        let decider = SubjectDecider(log: log, archive: nil, maximumAttempts: 1000)
        let attempts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var attempts = 0
                    for _ in 0..<10 {
                        let decision = try await decider.decide(subject: project, initial: nil, evolve: Self.status) { status in
                            guard status == .draft else { throw EventLogError(.invalidEnvelope, "project is \(String(describing: status))") }
                            return [try Self.change(project, .draft, .planning), try Self.change(project, .planning, .draft)]
                        }
                        #expect(decision.results.map(\.sequence) == [decision.loadedSequence + 1, decision.loadedSequence + 2])
                        attempts += decision.attempts
                    }
                    return attempts
                }
            }
            return try await group.reduce(0, +)
        }
        let history = try await SubjectLoader(log: log, archive: nil).load(subject: project)
        #expect(history.sequence == 81)
        var status: ProjectStatus? = nil
        for event in history.events {
            if event.type == ProjectStatusChanged.eventType {
                #expect(event.data["previous_status"]?.stringValue == status?.rawValue, "event \(event.sequence ?? 0) follows its predecessor")
            }
            status = Self.status(status, event)
        }
        #expect(attempts >= 40)
        print("racing deciders: 40 decisions in \(attempts) attempts")
    }

    /// After `maximumAttempts` conflicts the decider gives up with the conflict.
    @Test func aDeciderGivesUpAfterItsAttempts() async throws {
        let log = try await TestLog.open()
        let project = UUID().uuidString.lowercased()
        _ = try await log.append(try ProjectCreated(projectID: project, name: "Busy").draft(), expected: .none)
        let decider = SubjectDecider(log: log, archive: nil, maximumAttempts: 3)
        let error = await #expect(throws: EventLogError.self) {
            _ = try await decider.decide(subject: project, initial: 0, evolve: { count, _ in count + 1 }) { _ in
                // Someone else writes between every load and its append.
                _ = try await log.append(try Self.change(project, .draft, .draft))
                return [try Self.change(project, .draft, .planning)]
            }
        }
        #expect(error?.code == .conflict)
        #expect(error?.message.contains("after 3 decisions") == true, "\(String(describing: error))")
    }
}

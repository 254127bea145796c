import BerrysJSON
import EventLog
import Foundation
import RedisClient
import TestSupport
import Testing

/// Events held for later (`berrys_schedule`, `berrys_fire`, `berrys_cancel`) on the real test Redis.
@Suite struct ScheduleTests {
    private func draft(_ project: String = UUID().uuidString.lowercased(), at: Date?) -> EventDraft {
        EventDraft(type: "project.status_changed",
                   data: .object(["project_id": .string(project), "previous_status": .string("DRAFT"), "new_status": .string("PLANNING")]),
                   deliverAt: at)
    }

    /// Fires every partition until nothing is due; the total appended.
    private func fireAll(_ log: EventLog) async throws -> (fired: Int, failed: Int) {
        var total = (fired: 0, failed: 0)
        for partition in 0..<log.partitioner.partitions {
            let round = try await log.fireDue(partition: partition)
            total.fired += round.fired
            total.failed += round.failed
        }
        return total
    }

    @Test(arguments: TestServers.RedisDeployment.allCases)
    func aHeldEventIsAppendedOnceWhenDueWithItsIdReservedMeanwhile(on deployment: TestServers.RedisDeployment) async throws {
        let log = try await TestLog.open(on: deployment)
        // One held for an hour (the rules while held), one held for a time already past (so
        // due at the first fire, with no waiting): `schedule` holds whatever its time.
        let (laterProject, soonProject) = (UUID().uuidString.lowercased(), UUID().uuidString.lowercased())
        let later = try await log.append(draft(laterProject, at: Date().addingTimeInterval(3600)))
        let due = Date().addingTimeInterval(-1)
        let soon = try await log.schedule(prepared: try log.prepare(draft(soonProject, at: due)), at: due)
        #expect(soon.scheduledFor == due && !soon.duplicate && later.scheduledFor != nil)
        #expect(try await log.scheduledEvents().map(\.id) == [soon.id, later.id], "soonest first")

        var again = draft(laterProject, at: nil)  // the same subject: ids are de-duplicated per partition
        again.id = later.id
        #expect(try await log.append(again).duplicate, "the id is reserved while held")

        #expect(try await fireAll(log).fired == 1, "the one due, not the one held for an hour")
        #expect(try await fireAll(log).fired == 0, "exactly once")
        let events = try await log.read(partition: soon.position.partition, after: .zero, count: 10).filter { $0.subject == soonProject }
        #expect(events.map(\.id) == [soon.id])
        #expect(events.first?.sequence == 1)
        #expect(events.first?.time == Timestamp.format(due), "its time is the time it was held for")
        let appendedAt = Double(events.first?.position?.streamID.milliseconds ?? 0) / 1000
        #expect(appendedAt >= due.timeIntervalSince1970 - 0.001, "never before its time")
        #expect(try await log.read(partition: later.position.partition, after: .zero, count: 10).allSatisfy { $0.id != later.id })
        #expect(try await log.scheduledEvents().map(\.id) == [later.id])
        var soonAgain = draft(soonProject, at: nil)
        soonAgain.id = soon.id
        let duplicate = try await log.append(soonAgain)
        #expect(duplicate.duplicate && duplicate.position == events.first?.position, "after firing, the id points at the event")
        #expect(try await log.cancelScheduled(id: later.id))
    }

    @Test func aCancelledEventIsNeverAppendedAndItsIdIsFree() async throws {
        let log = try await TestLog.open()
        let project = UUID().uuidString.lowercased()
        // Held for a time already past: due at once, unless cancelled.
        let held = try await log.schedule(prepared: try log.prepare(draft(project, at: nil)), at: Date().addingTimeInterval(-1))
        #expect(try await log.cancelScheduled(id: held.id))
        #expect(try await !log.cancelScheduled(id: held.id), "cancelled once")
        #expect(try await fireAll(log).fired == 0)
        var reuse = draft(project, at: nil)
        reuse.id = held.id
        #expect(try await !log.append(reuse).duplicate, "a cancelled id can be used again")
        #expect(try await !log.cancelScheduled(id: UUID().uuidString), "an id never held")
    }

    @Test func anEventWhoseExpectedSequenceNoLongerHoldsIsSetAsideWithTheReason() async throws {
        let log = try await TestLog.open()
        let project = UUID().uuidString.lowercased()
        let held = try await log.schedule(prepared: try log.prepare(draft(project, at: nil)), at: Date().addingTimeInterval(-1),
                                          expected: ExpectedSequence.none)
        try await log.append(draft(project, at: nil))  // the subject is no longer new
        #expect(try await fireAll(log) == (fired: 0, failed: 1))
        let redis = RedisPool(configuration: TestServers.redisConfiguration, size: 1)
        let failed = try await redis.send("HGET", log.configuration.keys.scheduleFailed(partition: held.position.partition), held.id)
        #expect(failed.string?.contains("expected no events") == true, "\(failed)")
    }

    @Test func anInvalidEventIsRefusedAndNothingIsHeld() async throws {
        let log = try await TestLog.open()
        var bad = draft(at: Date().addingTimeInterval(60))
        bad.data = .object(["project_id": .string("p")])
        await #expect(throws: EventLogError.self) { try await log.append(bad) }
        #expect(try await log.scheduledEvents().isEmpty)
    }

    @Test func aTimeAlreadyPastAppendsAtOnce() async throws {
        let log = try await TestLog.open()
        let result = try await log.append(draft(at: Date().addingTimeInterval(-5)))
        #expect(result.scheduledFor == nil && result.sequence == 1)
    }
}

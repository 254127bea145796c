import BerrysJSON
import EventLog
import Foundation
import Logging
import ServiceLifecycle
import TestSupport
import Testing
import Workers

/// The firer's pacing (pure) and the firer on the real test Redis.
@Suite struct ScheduledEventFirerTests {
    @Test func pacingWaitsForTheSoonestEventButNeverLongerThanTheMaximum() {
        let pacing = FirePacing(maximum: .milliseconds(250))
        let now = Date(timeIntervalSince1970: 1000)
        #expect(pacing.pause(nextDue: nil, more: false, now: now) == .milliseconds(250))
        #expect(pacing.pause(nextDue: now.addingTimeInterval(0.1), more: false, now: now) == .milliseconds(100))
        #expect(pacing.pause(nextDue: now.addingTimeInterval(30), more: false, now: now) == .milliseconds(250))
        #expect(pacing.pause(nextDue: now.addingTimeInterval(-3), more: false, now: now) == .zero, "overdue: at once")
        #expect(pacing.pause(nextDue: now.addingTimeInterval(30), more: true, now: now) == .zero, "more due than one call takes")
    }

    /// Two processes' firers side by side (sharing the partitions): every held event is appended
    /// exactly once, none before its time; events due while no firer ran are appended when one
    /// starts.
    @Test func twoFirersAppendEveryEventOnceAndNoneEarly() async throws {
        let harness = try await RuntimeHarness()
        let start = Date()
        var due: [String: Date] = [:]
        for index in 0..<300 {
            // The first 100 were due before any firer ran; the others come due over half a second.
            let at = start.addingTimeInterval(index < 100 ? -1 : 0.6 + Double(index % 10) / 20)
            let draft = EventDraft(type: "project.status_changed",
                                   data: .object(["project_id": .string(UUID().uuidString.lowercased()), "previous_status": .string("DRAFT"),
                                                  "new_status": .string("PLANNING")]))
            let result = try await harness.log.schedule(prepared: try harness.log.prepare(draft), at: at)
            due[result.id] = at
        }
        let logger = RunningServices.quietLogger
        try await withServices([ScheduledEventFirer(log: harness.log, logger: logger), ScheduledEventFirer(log: harness.log, logger: logger)]) {
            try await eventually("300 appended") { try await harness.events(ofType: "project.status_changed").count >= 300 }
        }
        let events = try await harness.events(ofType: "project.status_changed")
        #expect(events.count == 300, "each exactly once")
        #expect(Set(events.map(\.id)) == Set(due.keys))
        for event in events {
            let appendedAt = Double(event.position?.streamID.milliseconds ?? 0) / 1000
            #expect(appendedAt >= (due[event.id]?.timeIntervalSince1970 ?? 0) - 0.001, "\(event.id) appended before its time")
        }
        #expect(try await harness.log.scheduledEvents().isEmpty)
    }
}

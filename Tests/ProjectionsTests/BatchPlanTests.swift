import BerrysJSON
import EventLog
@testable import Projections
import Testing

@Suite struct BatchPlanTests {
    static func event(_ sequence: UInt64) -> LogEntry {
        .event(EventEnvelope(id: "e\(sequence)", source: "s", type: "t", dataVersion: 1, subject: "x", time: "2026-11-25T00:00:00Z",
                             data: .object([:]), position: Position(partition: 0, streamID: StreamID(milliseconds: 1, sequence: sequence))))
    }

    static func corrupt(_ sequence: UInt64) -> LogEntry {
        .corrupt(position: Position(partition: 0, streamID: StreamID(milliseconds: 1, sequence: sequence)), reason: "no type")
    }

    @Test func takesEverythingWhenAllAreEvents() {
        let plan = BatchPlan([Self.event(1), Self.event(2)], skipped: [])
        #expect(plan.events.map(\.id) == ["e1", "e2"])
        #expect(plan.through == StreamID(milliseconds: 1, sequence: 2))
        #expect(plan.fault == nil)
    }

    @Test func stopsAtTheFirstCorruptEntryAfterTakingTheEventsBeforeIt() {
        let plan = BatchPlan([Self.event(1), Self.corrupt(2), Self.event(3)], skipped: [])
        #expect(plan.events.map(\.id) == ["e1"])
        #expect(plan.through == StreamID(milliseconds: 1, sequence: 1))
        #expect(plan.fault?.position.streamID == StreamID(milliseconds: 1, sequence: 2))
    }

    @Test func passesOverASkippedCorruptEntry() {
        let skipped: Set<Position> = [Position(partition: 0, streamID: StreamID(milliseconds: 1, sequence: 2))]
        let plan = BatchPlan([Self.event(1), Self.corrupt(2), Self.event(3)], skipped: skipped)
        #expect(plan.events.map(\.id) == ["e1", "e3"])
        #expect(plan.through == StreamID(milliseconds: 1, sequence: 3))
        #expect(plan.fault == nil)
    }

    @Test func aLeadingCorruptEntryTakesNothing() {
        let plan = BatchPlan([Self.corrupt(1), Self.event(2)], skipped: [])
        #expect(plan.events.isEmpty)
        #expect(plan.through == nil)
        #expect(plan.fault != nil)
    }
}

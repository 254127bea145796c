@testable import EventLog
import Foundation
import Testing

/// The rules of a batch append as a pure value, without Redis: the same outcomes as
/// `berrys_append` would give the events one by one.
@Suite struct PartitionAppendPlanTests {
    private static func envelope(_ subject: String, id: String = UUID().uuidString.lowercased(), key: String? = nil) -> EventEnvelope {
        EventEnvelope(id: id, source: "test", type: "project.created", dataVersion: 1, subject: subject,
                      time: "2026-12-03T12:00:00Z", data: .object([:]), partitionKey: key, correlationID: nil,
                      causationID: nil, extensions: [:])
    }

    private static func plan(_ events: [(envelope: EventEnvelope, expected: ExpectedSequence)], records: [String: String] = [:],
                             remembered: [String: String] = [:], lastID: StreamID = .zero, now: UInt64 = 1000,
                             window: Int = 60_000) -> PartitionAppendPlan {
        PartitionAppendPlan(events: events, records: records, remembered: remembered, lastID: lastID, now: now,
                            deduplicationWindowMilliseconds: window)
    }

    @Test func sequencesContinueFromTheStoredRecordAndIDsFollowTheServerTime() {
        let first = Self.envelope("a"), second = Self.envelope("a"), other = Self.envelope("b", key: "k")
        let plan = Self.plan([(first, .exactly(4)), (other, .none), (second, .exactly(5))],
                             records: ["a": "4 900-0 s old"], lastID: StreamID(milliseconds: 900, sequence: 3))
        #expect(plan.outcomes == [.appended(streamID: StreamID(milliseconds: 1000, sequence: 0), sequence: 5),
                                  .appended(streamID: StreamID(milliseconds: 1000, sequence: 1), sequence: 1),
                                  .appended(streamID: StreamID(milliseconds: 1000, sequence: 2), sequence: 6)])
        #expect(plan.entries.map(\.sequence) == [5, 1, 6])
        #expect(plan.sequenceRecords.map(\.subject) == ["a", "b"])
        #expect(plan.sequenceRecords.map(\.record) == ["6 1000-2 s \(second.id)", "1 1000-1 k \(other.id)"])
        #expect(plan.deduplication.map(\.eventID) == [first.id, other.id, second.id])
    }

    /// A server clock behind the stream's last id (say, after a failover to a node whose clock
    /// is late) continues after that id, as XADD `*` does.
    @Test func idsNeverGoBackBehindTheLastGeneratedID() {
        let plan = Self.plan([(Self.envelope("a"), .any)], lastID: StreamID(milliseconds: 5000, sequence: 7), now: 4000)
        #expect(plan.entries.map(\.id) == [StreamID(milliseconds: 5000, sequence: 8)])
    }

    @Test func duplicatesAndConflictsWriteNothing() {
        let latest = Self.envelope("a", id: "latest"), remembered = Self.envelope("b", id: "remembered")
        let fresh = Self.envelope("a")
        let plan = Self.plan([(latest, .none), (remembered, .any), (fresh, .exactly(1)), (fresh, .any)],
                             records: ["a": "2 800-0 s latest"], remembered: ["remembered": "700-1 3"])
        #expect(plan.outcomes == [.duplicate(streamID: StreamID(milliseconds: 800, sequence: 0), sequence: 2),
                                  .duplicate(streamID: StreamID(milliseconds: 700, sequence: 1), sequence: 3),
                                  .conflict("subject a: expected sequence 1, actual sequence 2"),
                                  .appended(streamID: StreamID(milliseconds: 1000, sequence: 0), sequence: 3)])
        #expect(plan.entries.count == 1)
    }

    /// An id repeated inside one batch is a duplicate of its first occurrence, as it would be
    /// one by one; with the window at 0 only the subject's latest event is recognised.
    @Test func anIDRepeatedInTheBatchIsADuplicateOfItsFirstOccurrence() {
        let event = Self.envelope("a"), between = Self.envelope("a")
        let remembering = Self.plan([(event, .any), (between, .any), (event, .any)])
        #expect(remembering.outcomes.last == .duplicate(streamID: StreamID(milliseconds: 1000, sequence: 0), sequence: 1))
        let forgetting = Self.plan([(event, .any), (between, .any), (event, .any)], window: 0)
        #expect(forgetting.outcomes.last == .appended(streamID: StreamID(milliseconds: 1000, sequence: 2), sequence: 3))
        #expect(forgetting.deduplication.isEmpty)
    }

    @Test func recordsOfOlderVersionsAreReadAndAnUnreadableOneRefusesOnlyItsEvents() {
        #expect(PartitionAppendPlan.SequenceRecord("7 900-1 old-id") == .init(sequence: 7, streamID: "900-1", explicitKey: nil, eventID: "old-id"))
        #expect(PartitionAppendPlan.SequenceRecord("7") == .init(sequence: 7, streamID: nil, explicitKey: nil, eventID: nil))
        #expect(PartitionAppendPlan.SequenceRecord("seven 900-1 s x") == nil)
        let plan = Self.plan([(Self.envelope("broken"), .any), (Self.envelope("fine"), .none)], records: ["broken": "x y"])
        #expect(plan.outcomes.first == .invalid("unreadable sequence record for subject broken: x y"))
        #expect(plan.outcomes.last == .appended(streamID: StreamID(milliseconds: 1000, sequence: 0), sequence: 1))
    }
}

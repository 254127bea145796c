import BerrysJSON
import EventLog
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// `POST /v1/events` with `Berrys-Atomic: true` and per-event `expectedsequence`.
@Suite struct AtomicPublishTests {
    static let batchType = "application/cloudevents-batch+json"
    static let atomic: HTTPFields = [HTTPField.Name("Berrys-Atomic")!: "true"]

    static func status(_ project: String, _ from: String, _ to: String, extra: [String: JSON] = [:]) -> String {
        Events.cloudEvent(type: "project.status_changed", data: .object([
            "project_id": .string(project), "previous_status": .string(from), "new_status": .string(to)]), extra: extra)
    }

    static func created(_ project: String, extra: [String: JSON] = [:]) -> String {
        Events.cloudEvent(type: "project.created", data: .object(["project_id": .string(project), "name": .string("P")]), extra: extra)
    }

    /// The issue's new user: two status changes of one project under `Berrys-Expected-Sequence: 1`
    /// are one decision; atomic, the header is the project's state before the set.
    @Test func aDecisionOfTwoEventsUnderOneHeaderIsAppendedWholeOrNotAtAll() async throws {
        try await APIHarness.with(runWorkers: false) { harness in
            try await harness.withClient { client async throws in
                let project = Events.uuid()
                #expect(try await client.post("/v1/events", body: Self.created(project)).status == .created)
                var headers = Self.atomic
                headers[HTTPField.Name("Berrys-Expected-Sequence")!] = "1"
                let set = "[\(Self.status(project, "DRAFT", "PLANNING")),\(Self.status(project, "PLANNING", "IN_PROGRESS"))]"
                let written = try await client.post("/v1/events", contentType: Self.batchType, body: set, headers: headers)
                #expect(written.status == .created, "\(written.json)")
                #expect(written.json["results"]?.arrayValue?.map { $0["sequence"] } == [.number(2), .number(3)])

                let again = try await client.post("/v1/events", contentType: Self.batchType, body: set, headers: headers)
                #expect(again.status == .ok, "the same set again: the originals")
                #expect(again.json["results"]?.arrayValue?.map { $0["status"] } == [.string("duplicate"), .string("duplicate")])

                let stale = "[\(Self.status(project, "IN_PROGRESS", "COMPLETED")),\(Self.status(project, "COMPLETED", "ARCHIVED"))]"
                let before = try await harness.log.currentSequence(subject: project)
                let refused = try await client.post("/v1/events", contentType: Self.batchType, body: stale, headers: headers)
                #expect(refused.status == .conflict, "\(refused.json)")
                #expect(refused.json["error"]?["message"]?.stringValue?.contains("expected sequence 1, actual sequence 3") == true, "\(refused.json)")
                #expect(refused.json["error"]?["details"]?.arrayValue?.first?["index"] == .number(0))
                #expect(try await harness.log.currentSequence(subject: project) == before, "nothing written")
            }
        }
    }

    /// An event's own `expectedsequence` wins over the header; a later event's refusal names it.
    @Test func eachEventsOwnConditionWinsAndARefusalNamesTheEvent() async throws {
        try await APIHarness.with(runWorkers: false) { harness in
            try await harness.withClient { client async throws in
                let project = Events.uuid()
                func set(_ last: Int) -> String {
                    "[\(Self.created(project, extra: ["expectedsequence": .string("none")])),"
                        + "\(Self.status(project, "DRAFT", "PLANNING", extra: ["expectedsequence": .number(1)])),"
                        + "\(Self.status(project, "PLANNING", "IN_PROGRESS", extra: ["expectedsequence": .number(Double(last))]))]"
                }
                var headers = Self.atomic
                headers[HTTPField.Name("Berrys-Expected-Sequence")!] = "7"
                let refused = try await client.post("/v1/events", contentType: Self.batchType, body: set(1), headers: headers)
                #expect(refused.status == .conflict, "\(refused.json)")
                #expect(refused.json["error"]?["details"]?.arrayValue?.first?["index"] == .number(2), "\(refused.json)")
                #expect(try await harness.log.currentSequence(subject: project) == 0)

                let written = try await client.post("/v1/events", contentType: Self.batchType, body: set(2), headers: headers)
                #expect(written.status == .created, "\(written.json)")
                let stored = try await harness.log.read(partition: harness.log.partitioner.partition(for: project))
                #expect(stored.allSatisfy { $0.extensions["expectedsequence"] == nil }, "the condition is not stored")

                let bad = try await client.post("/v1/events", body: Self.created(Events.uuid(), extra: ["expectedsequence": .string("soon")]))
                #expect(bad.status == .badRequest && bad.json["error"]?["message"]?.stringValue?.contains("expectedsequence") == true, "\(bad.json)")
            }
        }
    }

    /// A set over two partitions, or with ids partly seen, is refused (4xx) with nothing written.
    @Test func severalPartitionsAndPartialDuplicatesAreRefused() async throws {
        try await APIHarness.with(runWorkers: false) { harness in
            try await harness.withClient { client async throws in
                let log = harness.log
                let project = Events.uuid()
                var elsewhere = Events.uuid()
                while log.partitioner.partition(for: elsewhere) == log.partitioner.partition(for: project) { elsewhere = Events.uuid() }
                let split = try await client.post("/v1/events", contentType: Self.batchType,
                                                  body: "[\(Self.created(project)),\(Self.created(elsewhere))]", headers: Self.atomic)
                #expect(split.status == .badRequest && split.json["error"]?["code"] == .string("cross_partition"), "\(split.json)")
                #expect(try await log.currentSequence(subject: project) == 0)

                let first = Self.created(project)
                #expect(try await client.post("/v1/events", body: first).status == .created)
                let partial = try await client.post("/v1/events", contentType: Self.batchType,
                                                    body: "[\(first),\(Self.status(project, "DRAFT", "PLANNING"))]", headers: Self.atomic)
                #expect(partial.status == .conflict && partial.json["error"]?["code"] == .string("partial_duplicate"), "\(partial.json)")
                #expect(try await log.currentSequence(subject: project) == 1)
                let badHeader = try await client.post("/v1/events", contentType: Self.batchType, body: "[\(first)]",
                                                      headers: [HTTPField.Name("Berrys-Atomic")!: "yes"])
                #expect(badHeader.status == .badRequest)
            }
        }
    }
}

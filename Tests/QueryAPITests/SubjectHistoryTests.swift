import BerrysJSON
import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import QueryAPI
import TestSupport
import Testing

/// `GET /v1/subjects/{s}/events`: consistent with the log (it waits for the archive to reach
/// the subject's latest event in Redis), cut by sequence and time, paged.
@Suite struct SubjectHistoryTests {
    static func statusChanged(_ project: String, to status: String, id: String = Events.uuid()) -> String {
        Events.cloudEvent(type: "project.status_changed", data: .object([
            "project_id": .string(project), "previous_status": .string("DRAFT"), "new_status": .string(status)]), id: id)
    }

    /// A history read right after a publish always holds that publish, with no consistency
    /// token: the subject's sequence in Redis is the bound.
    @Test func aHistoryReadRightAfterAPublishAlwaysHoldsIt() async throws {
        try await APIHarness.with(runWorkers: false) { harness in
            try await harness.withClient { client async throws in
                let project = Events.uuid()
                let created = try await client.post("/v1/events", body: Events.cloudEvent(type: "project.created", data: .object([
                    "project_id": .string(project), "name": .string("History")])))
                #expect(created.status == .created)
                for sequence in 2...1001 {
                    let id = Events.uuid()
                    let published = try await client.post("/v1/events", body: Self.statusChanged(project, to: "PLANNING", id: id))
                    #expect(published.status == .created)
                    let history = try await client.get("/v1/subjects/\(project)/events?from_sequence=\(sequence)")
                    #expect(history.status == .ok, "sequence \(sequence): \(history.json)")
                    #expect(history.json.arrayValue?.last?["id"] == .string(id), "sequence \(sequence): \(history.json)")
                    #expect(history.headers[HTTPField.Name("Berrys-Subject-Sequence")!] == String(sequence))
                }
            }
        }
    }

    @Test func cutBySequenceAndTimePagedAndRefusedWhenWrong() async throws {
        try await APIHarness.with(runWorkers: false) { harness in
            try await harness.withClient { client async throws in
                let project = Events.uuid()
                _ = try await client.post("/v1/events", body: Events.cloudEvent(type: "project.created", data: .object([
                    "project_id": .string(project), "name": .string("History")])))
                for status in ["PLANNING", "IN_PROGRESS", "PAUSED", "REVIEW"] {
                    _ = try await client.post("/v1/events", body: Self.statusChanged(project, to: status))
                }
                let all = try await client.get("/v1/subjects/\(project)/events")
                #expect(all.json.arrayValue?.compactMap { $0["sequence"]?.stringValue } == ["1", "2", "3", "4", "5"])
                #expect(all.headers[HTTPField.Name("Berrys-Next-From-Sequence")!] == nil)

                let asOfThree = try await client.get("/v1/subjects/\(project)/events?at_sequence=3")
                #expect(asOfThree.json.arrayValue?.count == 3)
                #expect(asOfThree.json.arrayValue?.last?["data"]?["new_status"] == .string("IN_PROGRESS"))

                let page = try await client.get("/v1/subjects/\(project)/events?from_sequence=2&limit=2")
                #expect(page.json.arrayValue?.compactMap { $0["sequence"]?.stringValue } == ["2", "3"])
                #expect(page.headers[HTTPField.Name("Berrys-Next-From-Sequence")!] == "4")

                let third = try #require(all.json.arrayValue?[2]["time"]?.stringValue)
                let asOfTime = try await client.get("/v1/subjects/\(project)/events?at_time=\(third)")
                #expect((asOfTime.json.arrayValue?.count ?? 0) >= 3, "events at or before the third's time")
                let before = try await client.get("/v1/subjects/\(project)/events?at_time=2000-01-01T00:00:00Z")
                #expect(before.status == .ok)
                #expect(before.json.arrayValue?.isEmpty == true)

                let unknown = try await client.get("/v1/subjects/\(Events.uuid())/events")
                #expect(unknown.status == .notFound)
                for (query, parameter) in [("from_sequence=0", "from_sequence"), ("at_sequence=x", "at_sequence"),
                                           ("at_time=yesterday", "at_time"), ("limit=10001", "limit")] {
                    let refused = try await client.get("/v1/subjects/\(project)/events?\(query)")
                    #expect(refused.status == .badRequest, "\(query)")
                    #expect(refused.json["error"]?["details"]?.arrayValue?.first?["parameter"] == .string(parameter), "\(query): \(refused.json)")
                }
            }
        }
    }

    @Test func anArchiveThatDoesNotGetThereInTimeIsA504() async throws {
        try await APIHarness.with(settings: APISettings(consistencyTimeout: .milliseconds(200)), runWorkers: false, runProjector: false) { harness in
            try await harness.withClient { client async throws in
                let project = Events.uuid()
                _ = try await client.post("/v1/events", body: Events.cloudEvent(type: "project.created", data: .object([
                    "project_id": .string(project), "name": .string("History")])))
                let history = try await client.get("/v1/subjects/\(project)/events")
                #expect(history.status == .gatewayTimeout, "\(history.json)")
                #expect(history.json["error"]?["code"] == .string("consistency_timeout"))
                #expect(history.json["error"]?["message"]?.stringValue?.contains("latest event (sequence 1") == true, "\(history.json)")
            }
        }
    }
}

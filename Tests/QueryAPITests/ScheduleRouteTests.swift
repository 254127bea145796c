import BerrysJSON
import EventLog
import Foundation
import HTTPTypes
import HummingbirdTesting
import QueryAPI
import TestSupport
import Testing

/// `Berrys-Deliver-At` on publish, `GET /v1/scheduled`, `DELETE /v1/scheduled/{id}`.
@Suite struct ScheduleRouteTests {
    static let deliverAt = HTTPField.Name("Berrys-Deliver-At")!

    @Test func aPublishWithDeliverAtIsHeldListedAndCancellable() async throws {
        try await APIHarness.with(runWorkers: false) { harness in
            try await harness.withClient { client async throws in
                let id = Events.uuid()
                let body = Events.cloudEvent(type: "project.created", data: .object(["project_id": .string(Events.uuid()), "name": .string("P")]), id: id)
                let due = Timestamp.format(Date().addingTimeInterval(3600))
                let held = try await client.post("/v1/events", body: body, headers: [Self.deliverAt: due])
                #expect(held.status == .accepted, "\(held.json)")
                #expect(held.json["status"] == .string("scheduled") && held.json["deliver_at"] == .string(due))
                let again = try await client.post("/v1/events", body: body)
                #expect(again.status == .ok, "the id is reserved: a duplicate")

                let listed = try await client.get("/v1/scheduled")
                #expect(listed.json.arrayValue?.map { $0["id"] } == [.string(id)])
                #expect(listed.json.arrayValue?.first?["type"] == .string("project.created"))

                let cancelled = try await client.execute(uri: "/v1/scheduled/\(id)", method: .delete) { $0.status }
                #expect(cancelled == .noContent)
                let gone = try await client.execute(uri: "/v1/scheduled/\(id)", method: .delete) { $0.status }
                #expect(gone == .notFound)
                #expect(try await client.get("/v1/scheduled").json.arrayValue?.isEmpty == true)
                #expect(try await client.post("/v1/events", body: body).status == .created, "a cancelled id is free again")
            }
        }
    }

    @Test func aBadDeliverAtIsRefusedAndNothingIsHeld() async throws {
        try await APIHarness.with(runWorkers: false) { harness in
            try await harness.withClient { client async throws in
                let body = Events.cloudEvent(type: "project.created", data: .object(["project_id": .string(Events.uuid()), "name": .string("P")]))
                let bad = try await client.post("/v1/events", body: body, headers: [Self.deliverAt: "tomorrow"])
                #expect(bad.status == .badRequest)
                #expect(bad.json["error"]?["message"]?.stringValue?.contains("Berrys-Deliver-At") == true)
                let batch = try await client.post("/v1/events", contentType: "application/cloudevents-batch+json", body: "[\(body)]",
                                                  headers: [Self.deliverAt: Timestamp.format(Date().addingTimeInterval(60))])
                #expect(batch.status == .badRequest)
                #expect(try await client.get("/v1/scheduled").json.arrayValue?.isEmpty == true)
            }
        }
    }
}

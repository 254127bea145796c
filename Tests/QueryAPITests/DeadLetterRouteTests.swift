import BerrysJSON
import Foundation
import HTTPTypes
import HummingbirdTesting
import QueryAPI
import TestSupport
import Testing

/// The dead-letter endpoints behind the console: list, show, retry and drop, with retry and
/// drop open to admin tokens only; the console's files are served without a token.
@Suite struct DeadLetterRouteTests {
    @Test func deadLettersAreListedShownRetriedAndDroppedWithAnAdminToken() async throws {
        let tokens = try APITokens(parsing: "read:r-secret,publish:p-secret,admin:a-secret")
        let read: HTTPFields = [.authorization: "Bearer r-secret"], publish: HTTPFields = [.authorization: "Bearer p-secret"]
        let admin: HTTPFields = [.authorization: "Bearer a-secret"]
        try await APIHarness.with(settings: APISettings(consistencyTimeout: .seconds(60), tokens: tokens)) { harness in
            try await harness.withClient { client async throws in
                // A task assignment for a task nobody created: planning-to-agent parks it.
                let task = Events.uuid(), orphan = "orphan-\(Events.uuid())"
                let assigned = Events.cloudEvent(type: "task.assigned", data: .object(["task_id": .string(task), "plan_id": .string(task),
                                                                                         "agent_id": .string(task)]), id: orphan)
                #expect(try await client.post("/v1/events", body: assigned, headers: admin).status == .created, "admin may publish too")
                let letter = try await eventuallySome("the orphan dead-lettered", timeout: 90, every: .milliseconds(100)) {
                    try await client.get("/v1/dlq", headers: read).json.arrayValue?.first { $0["event_id"]?.stringValue == orphan }
                }
                let ref = try #require(letter["ref"]?.stringValue)
                #expect(ref.hasPrefix("planning-to-agent:"))
                #expect(letter["reason"]?.stringValue == "max_deliveries" && letter["type"]?.stringValue == "task.assigned")
                let shown = try await client.get("/v1/dlq/\(ref)", headers: read)
                #expect(shown.status == .ok && shown.json["fields"]?["id"]?.stringValue == orphan)
                #expect(try await client.get("/v1/dlq/\(orphan)", headers: read).json["ref"]?.stringValue == ref, "found by event id")
                #expect(try await client.get("/v1/dlq/planning-to-agent:0:1-1", headers: read).status == .notFound)
                #expect(try await client.get("/v1/dlq?worker=no-such-worker", headers: read).json.arrayValue?.isEmpty == true)

                #expect(try await client.post("/v1/dlq/\(ref)/retry", body: "", headers: read).status == .forbidden)
                #expect(try await client.post("/v1/dlq/\(ref)/retry", body: "", headers: publish).status == .forbidden)
                #expect(try await client.post("/v1/dlq/\(ref)/retry", body: "").status == .unauthorized)
                let retried = try await client.post("/v1/dlq/\(ref)/retry", body: "", headers: admin)
                #expect(retried.status == .ok && retried.json["retried"] == .number(1))
                // Re-delivered: handled again, it fails again and is parked anew (a later entry).
                let again = try await eventuallySome("the orphan parked again", timeout: 90, every: .milliseconds(100)) {
                    try await client.get("/v1/dlq", headers: read).json.arrayValue?.first {
                        $0["event_id"]?.stringValue == orphan && $0["ref"]?.stringValue != ref
                    }
                }
                let dropped = try await client.post("/v1/dlq/\(try #require(again["ref"]?.stringValue))/drop", body: "", headers: admin)
                #expect(dropped.status == .ok && dropped.json["dropped"] == .number(1))
                #expect(try await client.get("/v1/dlq", headers: read).json.arrayValue?.contains { $0["event_id"]?.stringValue == orphan } == false)

                let console = try await client.execute(uri: "/console/", method: .get, headers: [:], body: nil) { ($0.status, $0.headers[.contentType]) }
                #expect(console.0 == .ok && console.1?.hasPrefix("text/html") == true, "the console's files need no token")
                #expect(try await client.execute(uri: "/console", method: .get, headers: [:], body: nil) { $0.status } == .movedPermanently)
                #expect(try await client.execute(uri: "/console/app.js", method: .get, headers: [:], body: nil) { $0.headers[.contentType] }?
                    .hasPrefix("text/javascript") == true)
                #expect(try await client.get("/console/nothing.js").status == .notFound)
                // The Berrys pages come from BerrysAPI: listed, and their module served beside the engine's.
                let pages = try await client.get("/console/pages.json").json.arrayValue?.compactMap { $0["name"]?.stringValue }
                #expect(pages == ["agents", "plans"])
                #expect(try await client.execute(uri: "/console/models.js", method: .get, headers: [:], body: nil) { $0.status } == .ok)
                #expect(try await client.get("/v1/log").status == .unauthorized, "the log's state is not")
            }
        }
    }
}

import BerrysJSON
import EventLog
import Foundation
import HTTPTypes
import HummingbirdTesting
import QueryAPI
import TestSupport
import Testing

/// `POST /v1/events` over the CloudEvents HTTP binding; nothing invalid reaches the log.
@Suite struct PublishTests {
    func logLength(_ harness: APIHarness) async throws -> Int64 {
        var total: Int64 = 0
        for partition in 0..<harness.log.partitioner.partitions { total += try await harness.log.length(partition: partition) }
        return total
    }

    @Test func structuredBinaryAndDuplicatePublishes() async throws {
        try await APIHarness.with(runWorkers: false) { harness in
            try await harness.withClient { client async throws in
                let id = Events.uuid(), projectID = Events.uuid()
                let body = Events.cloudEvent(type: "project.created", data: .object(["project_id": .string(projectID), "name": .string("P")]), id: id)
                let created = try await client.post("/v1/events", body: body)
                #expect(created.status == .created)
                #expect(created.headers[.location] == "/v1/events/\(id)")
                #expect(created.json["status"] == .string("appended"))
                let again = try await client.post("/v1/events", body: body)
                #expect(again.status == .ok)
                #expect(again.json["position"] == created.json["position"])

                let binaryID = Events.uuid(), project = Events.uuid()
                let binary = try await client.post("/v1/events", contentType: "application/json", body: #"{"project_id":"\#(project)","name":"B"}"#,
                                                   headers: [HTTPField.Name("ce-specversion")!: "1.0", HTTPField.Name("ce-id")!: binaryID,
                                                             HTTPField.Name("ce-source")!: "test", HTTPField.Name("ce-type")!: "project.created"])
                #expect(binary.status == .created, "\(binary.json)")
                #expect(binary.json["id"] == .string(binaryID))
            }
        }
    }

    @Test func invalidEventsAreRefusedWithTheRightStatusAndNothingReachesTheLog() async throws {
        try await APIHarness.with(runWorkers: false) { harness in
            let before = try await logLength(harness)
            try await harness.withClient { client async throws in
                let project: JSON = .object(["project_id": .string(Events.uuid()), "name": .string("P")])
                // Invalid CloudEvents (after the CloudEvents JSON-format conformance cases): 400 naming the attribute.
                let invalid: [(String, String)] = [
                    (#"{"specversion":"1.0","source":"t","type":"project.created","data":{}}"#, "id"),
                    (Events.cloudEvent(type: "project.created", data: project, extra: ["source": .string("")]), "source"),
                    (Events.cloudEvent(type: "project.created", data: project, extra: ["time": .string("yesterday")]), "time"),
                    (Events.cloudEvent(type: "project.created", data: project, extra: ["Myext": .string("x")]), "Myext"),
                    (Events.cloudEvent(type: "project.created", data: project, extra: ["data_base64": .string("e30=")]), "data_base64"),
                    (Events.cloudEvent(type: "project.created", data: project, extra: ["specversion": .string("0.3")]), "specversion"),
                    (Events.cloudEvent(type: "no.such.type", data: project), "type"),
                ]
                for (body, attribute) in invalid {
                    let response = try await client.post("/v1/events", body: body)
                    #expect(response.status == .badRequest, "\(attribute): \(response.json)")
                    #expect(response.json["error"]?["message"]?.stringValue?.contains(attribute) == true, "\(attribute): \(response.json)")
                }
                // Schema errors: 422 with JSON Pointer paths.
                let schema = try await client.post("/v1/events", body: Events.cloudEvent(type: "project.created", data: .object(["project_id": .string("nope")])))
                #expect(schema.status == .unprocessableContent)
                let details = schema.json["error"]?["details"]?.arrayValue?.compactMap { $0["error"]?.stringValue } ?? []
                #expect(details.contains { $0.contains("/project_id") } && details.contains { $0.contains("/name") }, "\(details)")
                // Media type, body size, malformed JSON, bad header.
                #expect(try await client.post("/v1/events", contentType: "text/plain", body: "hi").status == .unsupportedMediaType)
                #expect(try await client.post("/v1/events", body: "{not json").status == .badRequest)
                // Invalid UTF-8 is refused, not replaced by U+FFFD and stored.
                let named = Events.cloudEvent(type: "project.created", data: .object(["project_id": .string(Events.uuid()), "name": .string("NAME")]))
                let parts = named.components(separatedBy: "NAME")
                let invalidUTF8 = try await client.post("/v1/events", bytes: Array(parts[0].utf8) + [0x50, 0xFF, 0xFE] + Array(parts[1].utf8))
                #expect(invalidUTF8.status == .badRequest, "\(invalidUTF8.json)")
                let message = invalidUTF8.json["error"]?["message"]?.stringValue ?? ""
                #expect(message.contains("UTF-8") && message.contains("byte \(parts[0].utf8.count + 1)"), "\(message)")
                let binaryInvalid = try await client.post("/v1/events", contentType: "application/json", bytes: [0x22, 0xC3, 0x28, 0x22],
                                                          headers: [HTTPField.Name("ce-specversion")!: "1.0", HTTPField.Name("ce-id")!: Events.uuid(),
                                                                    HTTPField.Name("ce-source")!: "test", HTTPField.Name("ce-type")!: "project.created"])
                #expect(binaryInvalid.status == .badRequest, "\(binaryInvalid.json)")
                let huge = Events.cloudEvent(type: "project.created", data: .object(["project_id": .string(Events.uuid()), "name": .string(String(repeating: "x", count: 2 << 20))]))
                #expect(try await client.post("/v1/events", body: huge).status == .contentTooLarge)
                #expect(try await client.post("/v1/events", body: Events.cloudEvent(type: "project.created", data: project),
                                              headers: [HTTPField.Name("Berrys-Expected-Sequence")!: "soon"]).status == .badRequest)
                // A batch with one invalid event appends nothing.
                let batch = "[" + Events.cloudEvent(type: "project.created", data: project) + "," +
                    Events.cloudEvent(type: "project.created", data: .object(["project_id": .string("nope"), "name": .string("x")])) + "]"
                let refused = try await client.post("/v1/events", contentType: "application/cloudevents-batch+json", body: batch)
                #expect(refused.status == .unprocessableContent, "\(refused.json)")
                #expect(refused.json["error"]?["details"]?.arrayValue?.first?["index"] == .number(1))
            }
            #expect(try await logLength(harness) == before, "nothing invalid reached the log")
        }
    }

    /// The request's `traceparent` becomes the event's, unless the event carries its own.
    @Test func theTraceparentHeaderIsStoredOnTheEvent() async throws {
        try await APIHarness.with(runWorkers: false) { harness in
            try await harness.withClient { client async throws in
                let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                let own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                let plain = Events.cloudEvent(type: "project.created", data: .object(["project_id": .string(Events.uuid()), "name": .string("P")]))
                let carrying = Events.cloudEvent(type: "project.created", data: .object(["project_id": .string(Events.uuid()), "name": .string("Q")]),
                                                 extra: ["traceparent": .string(own)])
                var stored: [String?] = []
                for body in [plain, carrying] {
                    let published = try await client.post("/v1/events", body: body, headers: [HTTPField.Name("traceparent")!: header])
                    #expect(published.status == .created, "\(published.json)")
                    let partition = Int(published.json["partition"]?.numberValue ?? 0)
                    let events = try await harness.log.read(partition: partition, after: .zero, count: 100)
                    stored.append(events.first { $0.id == published.json["id"]?.stringValue }?.extensions["traceparent"])
                }
                #expect(stored == [header, own])
                let other = Events.cloudEvent(type: "project.created", data: .object(["project_id": .string(Events.uuid()), "name": .string("R")]))
                let bad = try await client.post("/v1/events", body: other, headers: [HTTPField.Name("traceparent")!: "garbage"])
                #expect(bad.status == .badRequest && bad.json["error"]?["message"]?.stringValue?.contains("traceparent") == true, "\(bad.json)")
            }
        }
    }

    @Test func batchesAndSequenceConflicts() async throws {
        try await APIHarness.with(runWorkers: false) { harness in
            try await harness.withClient { client async throws in
                let project = Events.uuid()
                let create = Events.cloudEvent(type: "project.created", data: .object(["project_id": .string(project), "name": .string("P")]))
                let change = Events.cloudEvent(type: "project.status_changed", data: .object([
                    "project_id": .string(project), "previous_status": .string("DRAFT"), "new_status": .string("PLANNING")]))
                let batch = try await client.post("/v1/events", contentType: "application/cloudevents-batch+json", body: "[\(create),\(change)]")
                #expect(batch.status == .created)
                #expect(batch.json["results"]?.arrayValue?.map { $0["sequence"] } == [.number(1), .number(2)])
                let conflict = try await client.post("/v1/events", body: Events.cloudEvent(type: "project.status_changed", data: .object([
                    "project_id": .string(project), "previous_status": .string("PLANNING"), "new_status": .string("IN_PROGRESS")])),
                    headers: [HTTPField.Name("Berrys-Expected-Sequence")!: "1"])
                #expect(conflict.status == .conflict)
                #expect(conflict.json["error"]?["message"]?.stringValue?.contains("expected sequence 1, actual sequence 2") == true, "\(conflict.json)")
            }
        }
    }
}

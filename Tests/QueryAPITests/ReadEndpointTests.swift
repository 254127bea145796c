import BerrysAPI
import BerrysJSON
import Foundation
import HTTPTypes
import HummingbirdTesting
import QueryAPI
import TestSupport
import Testing

/// The read endpoints over the real projections and workers.
@Suite struct ReadEndpointTests {
    @Test func agentListPagesWithoutGapsOrDuplicatesAndFilters() async throws {
        try await APIHarness.with(runWorkers: false) { harness in
            try await harness.withClient { client async throws in
                var ids: Set<String> = []
                var last = ""
                for index in 0..<7 {
                    let agent = Events.uuid()
                    ids.insert(agent)
                    let name = index == 3 ? "Needle Finder" : "agent \(index)"
                    last = try await client.post("/v1/events", body: Events.agentCreated(agent, name: name)).json["position"]?.stringValue ?? ""
                }
                _ = try await client.get("/v1/agents?consistent_with=\(last)")
                var seen: [String] = []
                var cursor: String?
                var pages = 0
                repeat {
                    let page = try await client.get("/v1/agents?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""))
                    #expect(page.status == .ok)
                    seen += page.json["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                    cursor = page.json["next_cursor"]?.stringValue
                    pages += 1
                } while cursor != nil && pages < 10
                #expect(pages == 3)
                #expect(seen.count == 7 && Set(seen) == ids && seen == seen.sorted())
                let found = try await client.get("/v1/agents?q=needle")
                #expect(found.json["items"]?.arrayValue?.map { $0["name"] } == [.string("Needle Finder")])
                #expect(try await client.get("/v1/agents?agent_type=ASSISTANT&specialization=search").json["items"]?.arrayValue?.count == 7)
                #expect(try await client.get("/v1/agents?specialization=cooking").json["items"]?.arrayValue?.count == 0)
            }
        }
    }

    @Test func badParametersAre400sAndUnknownIds404sAllAsJSON() async throws {
        try await APIHarness.with(runWorkers: false) { harness in
            try await harness.withClient { client async throws in
                let cases: [(String, HTTPResponse.Status, String)] = [
                    ("/v1/agents/not-a-uuid", .badRequest, "id"),
                    ("/v1/agents?limit=0", .badRequest, "limit"),
                    ("/v1/agents?limit=201", .badRequest, "limit"),
                    ("/v1/agents?status=SLEEPY", .badRequest, "status"),
                    ("/v1/agents?project_id=42", .badRequest, "project_id"),
                    ("/v1/agents?cursor=%%%", .badRequest, "cursor"),
                    ("/v1/agents/\(Events.uuid())", .notFound, "agent"),
                    ("/v1/agents/\(Events.uuid())/history", .notFound, "agent"),
                    ("/v1/executions/\(Events.uuid())", .notFound, "execution"),
                    ("/v1/plans/\(Events.uuid())/tasks", .notFound, "plan"),
                    ("/v1/tasks/\(Events.uuid())", .notFound, "task"),
                    ("/v1/templates/\(Events.uuid())", .notFound, "template"),
                    ("/v1/models/gpt-none/usage", .notFound, "model"),
                    ("/v1/events/no-such-event", .notFound, "event"),
                    ("/v1/nothing-here", .notFound, "route"),
                ]
                for (uri, status, word) in cases {
                    let response = try await client.get(uri)
                    #expect(response.status == status, "\(uri): \(response.json)")
                    #expect(response.json["error"]?["message"]?.stringValue?.contains(word) == true, "\(uri): \(response.json)")
                    #expect(response.headers[HTTPField.Name("X-Request-ID")!] != nil)
                }
                let echoed = try await client.get("/health/liveness", headers: [HTTPField.Name("X-Request-ID")!: "abc-123"])
                #expect(echoed.headers[HTTPField.Name("X-Request-ID")!] == "abc-123")
                let ready = try await client.get("/health/readiness")
                #expect(ready.status == .ok, "\(ready.json)")
                #expect(ready.json["checks"]?["redis"]?["ok"] == .bool(true))
            }
        }
    }

    /// Publish → workers → projections → query: a task assigned over HTTP becomes an execution
    /// of the agent; the agent is initialized by agent-lifecycle.
    @Test func thePlatformFlowEndToEnd() async throws {
        try await APIHarness.with() { harness in
            try await harness.withClient { client async throws in
                let project = Events.uuid(), plan = Events.uuid(), task = Events.uuid(), agent = Events.uuid()
                let events = [
                    Events.cloudEvent(type: "project.created", data: .object(["project_id": .string(project), "name": .string("Survey")])),
                    Events.cloudEvent(type: "plan.created", data: .object(["plan_id": .string(plan), "project_id": .string(project), "name": .string("Plan")])),
                    Events.cloudEvent(type: "task.created", data: .object(["task_id": .string(task), "plan_id": .string(plan), "name": .string("Read"),
                                                                           "priority": .string("HIGH")])),
                    Events.agentCreated(agent),
                    Events.cloudEvent(type: "task.assigned", data: .object(["task_id": .string(task), "plan_id": .string(plan), "agent_id": .string(agent)])),
                ]
                let batch = try await client.post("/v1/events", contentType: "application/cloudevents-batch+json", body: "[\(events.joined(separator: ","))]")
                #expect(batch.status == .created, "\(batch.json)")
                let executions = try await eventuallySome("the execution queued", every: .milliseconds(50)) {
                    let rows = try await client.get("/v1/agents/\(agent)/executions").json.arrayValue ?? []
                    return rows.isEmpty ? nil : rows
                }
                #expect(executions.first?["title"] == .string("Read"))
                #expect(executions.first?["priority"] == .string("critical"))
                // agent-lifecycle initializes the agent independently of planning-to-agent: its
                // READY may be projected after the execution is.
                try await eventually("the agent READY", every: .milliseconds(50)) {
                    try await client.get("/v1/agents/\(agent)").json["state_detail"] == .string("READY")
                }
                let tasks = try await client.get("/v1/plans/\(plan)/tasks?assigned_agent_id=\(agent)")
                #expect(tasks.json.arrayValue?.first?["id"] == .string(task), "\(tasks.json)")
                #expect(try await client.get("/v1/plans?project_id=\(project)").json["items"]?.arrayValue?.count == 1)
                let workers = try await client.get("/v1/workers")
                #expect(workers.json.arrayValue?.contains { $0["name"] == .string("planning-to-agent") } == true)
                let projections = try await client.get("/v1/projections")
                let names = Set(projections.json.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
                #expect(names == Set(BerrysRoutes.projections + ["archive"]), "\(projections.json)")
                #expect(projections.json.arrayValue?.allSatisfy { $0["state"] == .string("live") } == true, "\(projections.json)")
            }
        }
    }

    @Test func tokensGuardReadsAndPublishingButNotHealth() async throws {
        let tokens = try APITokens(parsing: "read:r-secret,publish:p-secret")
        try await APIHarness.with(settings: APISettings(tokens: tokens), runWorkers: false) { harness in
            try await harness.withClient { client async throws in
                let event = Events.agentCreated(Events.uuid())
                #expect(try await client.get("/v1/agents").status == .unauthorized)
                #expect(try await client.get("/v1/agents", headers: [.authorization: "Bearer wrong"]).status == .unauthorized)
                #expect(try await client.get("/v1/agents", headers: [.authorization: "Bearer r-secret"]).status == .ok)
                #expect(try await client.get("/v1/agents", headers: [.authorization: "Bearer p-secret"]).status == .ok)
                #expect(try await client.post("/v1/events", body: event, headers: [.authorization: "Bearer r-secret"]).status == .forbidden)
                #expect(try await client.post("/v1/events", body: event, headers: [.authorization: "Bearer p-secret"]).status == .created)
                #expect(try await client.get("/health/liveness").status == .ok)
            }
        }
    }
}

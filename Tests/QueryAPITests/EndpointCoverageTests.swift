import BerrysJSON
import Foundation
import HTTPTypes
import HummingbirdTesting
import QueryAPI
import TestSupport
import Testing

/// The happy path of every read endpoint, over one small world published through the API.
@Suite struct EndpointCoverageTests {
    @Test func everyReadEndpointAnswersWithItsData() async throws {
        try await APIHarness.with() { harness in
            try await harness.withClient { client async throws in
                let template = Events.uuid(), agent = Events.uuid(), other = Events.uuid(), tool = Events.uuid()
                let project = Events.uuid(), plan = Events.uuid(), task = Events.uuid(), message = Events.uuid()
                let events: [String] = [
                    Events.cloudEvent(type: "agent.template.created", data: .object(["template_id": .string(template), "name": .string("T"),
                                                                                      "agent_type": .string("RESEARCHER")])),
                    Events.cloudEvent(type: "agent.template.version_published", data: .object(["template_id": .string(template),
                                                                                                "version_number": .number(1), "content": .object([:])])),
                    Events.agentCreated(agent, name: "Reader"), Events.agentCreated(other, name: "Writer"),
                    Events.cloudEvent(type: "agent.topic.subscribed", data: .object(["agent_id": .string(agent), "topic": .string("news")])),
                    Events.cloudEvent(type: "agent.message.sent", data: .object(["message_id": .string(message), "from_agent_id": .string(other),
                                                                                 "routing": .object(["kind": .string("direct"), "recipient_id": .string(agent)]),
                                                                                 "content": .string("hello"), "priority": .number(1)])),
                    Events.cloudEvent(type: "model.registered", data: .object(["model_id": .string("m-1"), "provider": .string("OLLAMA"),
                                                                               "capabilities": .array([.string("chat")])])),
                    Events.cloudEvent(type: "tool.registered", data: .object(["tool_id": .string(tool), "name": .string("search")])),
                    Events.cloudEvent(type: "tool.integrated", data: .object(["tool_id": .string(tool), "agent_id": .string(agent)])),
                    Events.cloudEvent(type: "project.created", data: .object(["project_id": .string(project), "name": .string("P")])),
                    Events.cloudEvent(type: "plan.created", data: .object(["plan_id": .string(plan), "project_id": .string(project), "name": .string("L")])),
                    Events.cloudEvent(type: "task.created", data: .object(["task_id": .string(task), "plan_id": .string(plan), "name": .string("K"),
                                                                           "priority": .string("LOW")])),
                    Events.cloudEvent(type: "task.assigned", data: .object(["task_id": .string(task), "plan_id": .string(plan), "agent_id": .string(agent)])),
                ]
                let batch = try await client.post("/v1/events", contentType: "application/cloudevents-batch+json", body: "[\(events.joined(separator: ","))]")
                #expect(batch.status == .created, "\(batch.json)")
                // Wait for the workers' effects: the execution and the delivered message.
                let executionID = try await eventuallySome("the execution queued", timeout: 60, every: .milliseconds(50)) {
                    try await client.get("/v1/agents/\(agent)/executions").json.arrayValue?.first?["id"]?.stringValue
                }
                try await eventually("the message delivered", timeout: 60, every: .milliseconds(50)) {
                    try await client.get("/v1/agents/\(agent)/inbox").json.arrayValue?.isEmpty == false
                }
                // agent-lifecycle's status changes come from another worker, on its own schedule.
                try await eventually("the agent's status changes", timeout: 60, every: .milliseconds(50)) {
                    (try await client.get("/v1/agents/\(agent)/history").json.arrayValue?.count ?? 0) >= 2
                }
                let checks: [(String, (JSON) -> Bool)] = [
                    ("/v1/agents/\(agent)", { $0["name"] == .string("Reader") }),
                    ("/v1/agents/\(agent)/history", { ($0.arrayValue?.count ?? 0) >= 2 }),
                    ("/v1/agents/\(agent)/inbox", { $0.arrayValue?.first?["content"] == .string("hello") }),
                    ("/v1/agents/\(agent)/tools", { $0.arrayValue?.first?["name"] == .string("search") }),
                    ("/v1/executions/\(executionID)", { $0["title"] == .string("K") && $0["priority"] == .string("low") }),
                    ("/v1/templates", { $0.arrayValue?.contains { $0["id"] == .string(template) } == true }),
                    ("/v1/templates/\(template)", { $0["versions"]?.arrayValue?.count == 1 }),
                    ("/v1/topics/news/subscribers", { $0.arrayValue?.first?["agent_id"] == .string(agent) }),
                    ("/v1/projects/\(project)", { $0["name"] == .string("P") }),
                    ("/v1/projects", { $0["items"]?.arrayValue?.count == 1 }),
                    ("/v1/plans/\(plan)", { $0["tasks_total"] == .number(1) }),
                    ("/v1/tasks/\(task)", { $0["assigned_agent_id"] == .string(agent) && $0["dependencies"] == .array([]) }),
                    ("/v1/models", { $0.arrayValue?.first?["id"] == .string("m-1") }),
                    ("/v1/models/m-1/usage", { $0["requests"] == .number(0) }),
                    ("/v1/tools", { $0.arrayValue?.first?["id"] == .string(tool) }),
                    ("/v1/events?subject=\(project)", { $0["items"]?.arrayValue?.first?["type"] == .string("project.created") }),
                    ("/v1/subjects/\(task)/events", { $0.arrayValue?.map { $0["type"] } == [.string("task.created"), .string("task.assigned")] }),
                    ("/openapi.json", { $0["openapi"] == .string("3.1.0") }),
                ]
                for (uri, holds) in checks {
                    let response = try await client.get(uri)
                    #expect(response.status == .ok, "\(uri): \(response.json)")
                    #expect(holds(response.json), "\(uri): \(response.json)")
                }
                // The event history pages in log order without gaps.
                var ids: [String] = []
                var after: String?
                repeat {
                    let page = try await client.get("/v1/events?limit=5" + (after.map { "&after=\($0)" } ?? ""))
                    ids += page.json["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                    after = page.json["next_cursor"]?.stringValue
                } while after != nil
                let all = try await client.get("/v1/events?limit=1000").json["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                #expect(ids == all && ids.count >= events.count)
                let one = try await client.get("/v1/events/\(ids[0])")
                #expect(one.status == .ok && one.json["id"] == .string(ids[0]))
            }
        }
    }
}

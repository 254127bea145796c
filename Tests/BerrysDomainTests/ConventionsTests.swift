import BerrysDomain
import BerrysJSON
import EventLog
import Foundation
import TestSupport
import Testing

@Suite struct ConventionsTests {
    let conventions = BerrysConventions()

    /// Every type's valid example yields a subject and a partition key.
    @Test func everyTypeHasASubjectAndPartitionKey() throws {
        for example in try SchemaExamplesTests.examples() where example.expectedValid {
            let data = try JSON(parsing: String(contentsOfFile: example.path, encoding: .utf8))
            let (_, newest) = try TestLog.registry.upcast(type: example.type, version: example.version, data: data)
            #expect(conventions.subject(type: example.type, data: newest) != nil, "\(example.type) has no subject")
            #expect(conventions.partitionKey(type: example.type, data: newest) != nil, "\(example.type) has no partition key")
        }
    }

    /// Types that share a subject must derive the same partition key for it.
    @Test func eventsOfOneSubjectShareAPartitionKey() {
        let agent = UUID().uuidString.lowercased(), other = UUID().uuidString.lowercased(), message = UUID().uuidString.lowercased()
        let topicSent: JSON = .object(["message_id": .string(message), "routing": .object(["kind": .string("topic"), "topic": .string("news")])])
        let topicDelivered: JSON = .object(["message_id": .string(message), "recipient_id": .string(other), "topic": .string("news")])
        #expect(conventions.partitionKey(type: "agent.message.sent", data: topicSent) == "topic:news")
        #expect(conventions.partitionKey(type: "agent.message.delivered", data: topicDelivered) == "topic:news")
        let subscribed: JSON = .object(["agent_id": .string(agent), "topic": .string("news")])
        #expect(conventions.partitionKey(type: "agent.topic.subscribed", data: subscribed) == "topic:news")
        #expect(conventions.subject(type: "agent.topic.unsubscribed", data: subscribed) == "topic:news")

        let directSent: JSON = .object(["message_id": .string(message), "routing": .object(["kind": .string("direct"), "recipient_id": .string(other)])])
        let directDelivered: JSON = .object(["message_id": .string(message), "recipient_id": .string(other)])
        #expect(conventions.partitionKey(type: "agent.message.sent", data: directSent)
                == conventions.partitionKey(type: "agent.message.delivered", data: directDelivered))

        let agentData: JSON = .object(["agent_id": .string(agent)])
        let agentTypes = ["agent.created", "agent.updated", "agent.status_changed", "agent.specialization.added", "agent.specialization.removed"]
        #expect(Set(agentTypes.map { conventions.partitionKey(type: $0, data: agentData) }) == [agent])
        let request: JSON = .object(["request_id": .string(message), "model_id": .string("m")])
        #expect(conventions.subject(type: "model.request.completed", data: request) == message)
        #expect(conventions.partitionKey(type: "model.request.failed", data: request) == "m")
        let execution: JSON = .object(["execution_id": .string(message), "agent_id": .string(agent)])
        #expect(Set(["agent.execution.queued", "agent.execution.progress", "agent.execution.completed"]
            .map { conventions.subject(type: $0, data: execution) }) == [message])
    }
}

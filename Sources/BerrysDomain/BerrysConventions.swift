import BerrysJSON
import EventLog

/// Which subject and partition key each Berrys event type carries.
///
/// Sequences are kept per (partition, subject), so every event of one subject must carry the
/// same partition key; the rules below guarantee it (a test checks every type):
///
/// | types | subject | partition key |
/// |---|---|---|
/// | `agent.created/updated/status_changed`, `agent.specialization.*` | `agent_id` | subject |
/// | `agent.topic.subscribed/unsubscribed` | `topic:<topic>` | subject (the topic) |
/// | `agent.template.*` | `template_id` | subject |
/// | `agent.execution.*` | `execution_id` | subject |
/// | `agent.message.sent/delivered` | `message_id` | `topic:<topic>` for topic messages, else the recipient's `agent_id` |
/// | `project.*` | `project_id` | subject |
/// | `plan.*` | `plan_id` | subject |
/// | `task.*` | `task_id` | subject |
/// | `model.registered` | `model_id` | subject |
/// | `model.request.*` | `request_id` | `model_id` |
/// | `tool.registered`, `tool.integrated` | `tool_id` | subject |
/// | `tool.executed` | `execution_id` | `tool_id` |
///
/// Topic subscriptions and topic messages share the key `topic:<topic>`, so a router sees
/// them in log order.
public struct BerrysConventions: EventConventions {
    public init() {}

    public func subject(type: String, data: JSON) -> String? {
        switch type {
        case "agent.topic.subscribed", "agent.topic.unsubscribed":
            return data["topic"]?.stringValue.map { "topic:\($0)" }
        case "agent.message.sent", "agent.message.delivered":
            return data["message_id"]?.stringValue
        case "model.request.completed", "model.request.failed":
            return data["request_id"]?.stringValue
        case "tool.executed":
            return data["execution_id"]?.stringValue
        default:
            guard let field = Self.subjectField(of: type) else { return nil }
            return data[field]?.stringValue
        }
    }

    public func partitionKey(type: String, data: JSON) -> String? {
        switch type {
        case "agent.message.sent":
            if let topic = data["routing"]?["topic"]?.stringValue { return "topic:\(topic)" }
            return data["routing"]?["recipient_id"]?.stringValue
        case "agent.message.delivered":
            if let topic = data["topic"]?.stringValue { return "topic:\(topic)" }
            return data["recipient_id"]?.stringValue
        case "model.request.completed", "model.request.failed":
            return data["model_id"]?.stringValue
        case "tool.executed":
            return data["tool_id"]?.stringValue
        default:
            return subject(type: type, data: data)
        }
    }

    /// The payload field that holds the subject, by type prefix.
    static func subjectField(of type: String) -> String? {
        let prefixes: [(String, String)] = [
            ("agent.template.", "template_id"), ("agent.execution.", "execution_id"), ("agent.", "agent_id"),
            ("project.", "project_id"), ("plan.", "plan_id"), ("task.", "task_id"), ("model.", "model_id"), ("tool.", "tool_id"),
        ]
        return prefixes.first { type.hasPrefix($0.0) }?.1
    }
}

import BerrysJSON

/// `agent.message.sent` v1: An agent sent a message, to one agent or to a topic.
public struct AgentMessageSent: BerrysEvent {
    public static let eventType = "agent.message.sent"
    public static let schemaVersion = 1

    public var messageID: String
    public var fromAgentID: String
    public var routing: MessageRouting
    public var content: String
    public var priority: Int

    public init(messageID: String, fromAgentID: String, routing: MessageRouting, content: String, priority: Int) {
        self.messageID = messageID
        self.fromAgentID = fromAgentID
        self.routing = routing
        self.content = content
        self.priority = priority
    }

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id", fromAgentID = "from_agent_id", routing, content, priority
    }
}

/// `agent.message.delivered` v1: A message reached one recipient.
public struct AgentMessageDelivered: BerrysEvent {
    public static let eventType = "agent.message.delivered"
    public static let schemaVersion = 1

    public var messageID: String
    public var recipientID: String
    public var topic: String?

    public init(messageID: String, recipientID: String, topic: String? = nil) {
        self.messageID = messageID
        self.recipientID = recipientID
        self.topic = topic
    }

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id", recipientID = "recipient_id", topic
    }
}

/// Where an agent message goes: `{"kind": "direct", "recipient_id": …}` or `{"kind": "topic", "topic": …}`.
public enum MessageRouting: Codable, Sendable, Hashable {
    /// To one agent.
    case direct(recipientID: String)
    /// To every agent subscribed to a topic.
    case topic(String)

    enum CodingKeys: String, CodingKey {
        case kind, recipientID = "recipient_id", topic
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "direct": self = .direct(recipientID: try container.decode(String.self, forKey: .recipientID))
        case "topic": self = .topic(try container.decode(String.self, forKey: .topic))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown routing kind '\(other)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .direct(let recipientID):
            try container.encode("direct", forKey: .kind)
            try container.encode(recipientID, forKey: .recipientID)
        case .topic(let topic):
            try container.encode("topic", forKey: .kind)
            try container.encode(topic, forKey: .topic)
        }
    }
}

import BerrysJSON

/// `agent.created` v1: An agent was created on the platform.
public struct AgentCreatedV1: BerrysEvent {
    public static let eventType = "agent.created"
    public static let schemaVersion = 1

    public var agentID: String
    public var name: String
    public var description: String?
    public var type: AgentType
    public var projectID: String?
    public var templateID: String?
    public var configuration: JSON?

    public init(agentID: String, name: String, description: String? = nil, type: AgentType, projectID: String? = nil, templateID: String? = nil, configuration: JSON? = nil) {
        self.agentID = agentID
        self.name = name
        self.description = description
        self.type = type
        self.projectID = projectID
        self.templateID = templateID
        self.configuration = configuration
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", name, description, type, projectID = "project_id", templateID = "template_id", configuration
    }
}

/// `agent.created` v2: An agent was created on the platform. v2 renames `type` to `agent_type` and adds `specializations` and `capabilities`.
public struct AgentCreated: BerrysEvent {
    public static let eventType = "agent.created"
    public static let schemaVersion = 2

    public var agentID: String
    public var name: String
    public var description: String?
    public var agentType: AgentType
    public var projectID: String?
    public var templateID: String?
    public var configuration: JSON?
    public var specializations: [String]
    public var capabilities: [String]?

    public init(agentID: String, name: String, description: String? = nil, agentType: AgentType, projectID: String? = nil, templateID: String? = nil, configuration: JSON? = nil, specializations: [String], capabilities: [String]? = nil) {
        self.agentID = agentID
        self.name = name
        self.description = description
        self.agentType = agentType
        self.projectID = projectID
        self.templateID = templateID
        self.configuration = configuration
        self.specializations = specializations
        self.capabilities = capabilities
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", name, description, agentType = "agent_type", projectID = "project_id", templateID = "template_id", configuration, specializations, capabilities
    }
}

/// `agent.updated` v1: Some of an agent's descriptive fields changed.
public struct AgentUpdated: BerrysEvent {
    public static let eventType = "agent.updated"
    public static let schemaVersion = 1

    public var agentID: String
    public var changes: AgentChanges

    public init(agentID: String, changes: AgentChanges) {
        self.agentID = agentID
        self.changes = changes
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", changes
    }
}

/// `agent.status_changed` v1: An agent moved in its status and lifecycle state machines.
public struct AgentStatusChanged: BerrysEvent {
    public static let eventType = "agent.status_changed"
    public static let schemaVersion = 1

    public var agentID: String
    public var previousStatus: AgentStatus
    public var newStatus: AgentStatus
    public var previousStateDetail: AgentStateDetail
    public var newStateDetail: AgentStateDetail
    public var reason: String?

    public init(agentID: String, previousStatus: AgentStatus, newStatus: AgentStatus, previousStateDetail: AgentStateDetail, newStateDetail: AgentStateDetail, reason: String? = nil) {
        self.agentID = agentID
        self.previousStatus = previousStatus
        self.newStatus = newStatus
        self.previousStateDetail = previousStateDetail
        self.newStateDetail = newStateDetail
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", previousStatus = "previous_status", newStatus = "new_status", previousStateDetail = "previous_state_detail", newStateDetail = "new_state_detail", reason
    }
}

/// `agent.specialization.added` v1: An agent gained a specialization.
public struct AgentSpecializationAdded: BerrysEvent {
    public static let eventType = "agent.specialization.added"
    public static let schemaVersion = 1

    public var agentID: String
    public var specialization: String

    public init(agentID: String, specialization: String) {
        self.agentID = agentID
        self.specialization = specialization
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", specialization
    }
}

/// `agent.specialization.removed` v1: An agent lost a specialization.
public struct AgentSpecializationRemoved: BerrysEvent {
    public static let eventType = "agent.specialization.removed"
    public static let schemaVersion = 1

    public var agentID: String
    public var specialization: String

    public init(agentID: String, specialization: String) {
        self.agentID = agentID
        self.specialization = specialization
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", specialization
    }
}

/// `agent.topic.subscribed` v1: An agent subscribed to a message topic.
public struct AgentTopicSubscribed: BerrysEvent {
    public static let eventType = "agent.topic.subscribed"
    public static let schemaVersion = 1

    public var agentID: String
    public var topic: String

    public init(agentID: String, topic: String) {
        self.agentID = agentID
        self.topic = topic
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", topic
    }
}

/// `agent.topic.unsubscribed` v1: An agent unsubscribed from a message topic.
public struct AgentTopicUnsubscribed: BerrysEvent {
    public static let eventType = "agent.topic.unsubscribed"
    public static let schemaVersion = 1

    public var agentID: String
    public var topic: String

    public init(agentID: String, topic: String) {
        self.agentID = agentID
        self.topic = topic
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", topic
    }
}

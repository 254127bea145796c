import BerrysJSON

/// `agent.template.created` v1: A template for making agents was created.
public struct AgentTemplateCreated: BerrysEvent {
    public static let eventType = "agent.template.created"
    public static let schemaVersion = 1

    public var templateID: String
    public var name: String
    public var agentType: AgentType
    public var parameters: JSON?
    public var capabilities: [String]?
    public var promptTemplate: String?

    public init(templateID: String, name: String, agentType: AgentType, parameters: JSON? = nil, capabilities: [String]? = nil, promptTemplate: String? = nil) {
        self.templateID = templateID
        self.name = name
        self.agentType = agentType
        self.parameters = parameters
        self.capabilities = capabilities
        self.promptTemplate = promptTemplate
    }

    enum CodingKeys: String, CodingKey {
        case templateID = "template_id", name, agentType = "agent_type", parameters, capabilities, promptTemplate = "prompt_template"
    }
}

/// `agent.template.version_published` v1: A new version of a template's content was published.
public struct AgentTemplateVersionPublished: BerrysEvent {
    public static let eventType = "agent.template.version_published"
    public static let schemaVersion = 1

    public var templateID: String
    public var versionNumber: Int
    public var content: JSON
    public var changelog: String?

    public init(templateID: String, versionNumber: Int, content: JSON, changelog: String? = nil) {
        self.templateID = templateID
        self.versionNumber = versionNumber
        self.content = content
        self.changelog = changelog
    }

    enum CodingKeys: String, CodingKey {
        case templateID = "template_id", versionNumber = "version_number", content, changelog
    }
}

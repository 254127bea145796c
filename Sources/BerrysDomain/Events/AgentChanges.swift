import BerrysJSON

/// The fields an `agent.updated` event changes (at least one).
public struct AgentChanges: Codable, Sendable, Hashable {
    public var name: String?
    public var description: String?
    public var configuration: JSON?
    public var projectID: String?

    public init(name: String? = nil, description: String? = nil, configuration: JSON? = nil, projectID: String? = nil) {
        self.name = name
        self.description = description
        self.configuration = configuration
        self.projectID = projectID
    }

    enum CodingKeys: String, CodingKey {
        case name, description, configuration, projectID = "project_id"
    }
}

import BerrysJSON
import EventLog
import Foundation

/// A typed Berrys event payload; its JSON Schema in `schemas/` is the source of truth.
///
/// Each type spells the schema's snake_case keys in its `CodingKeys` (no key strategy, so
/// free-form `JSON` fields such as `configuration` keep their keys untouched).
public protocol BerrysEvent: Codable, Sendable, Hashable {
    /// The event type, e.g. `agent.created`.
    static var eventType: String { get }
    /// The schema version this type encodes.
    static var schemaVersion: Int { get }
}

extension BerrysEvent {
    /// The payload as JSON, keys in the schema's snake_case.
    public func json() throws -> JSON {
        try JSON(parsing: Array(JSONEncoder().encode(self)))
    }

    /// Decodes a payload of this type's schema version.
    public init(json: JSON) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(json.serialized.utf8))
    }

    /// A draft of this event for `EventLog.append`.
    public func draft(id: String? = nil, source: String? = nil, correlationID: String? = nil, causationID: String? = nil) throws -> EventDraft {
        EventDraft(type: Self.eventType, data: try json(), dataVersion: Self.schemaVersion, id: id, source: source,
                   correlationID: correlationID, causationID: causationID)
    }
}

/// Every typed payload, for tests and tools that walk them all.
public enum BerrysEventTypes {
    public static let all: [any BerrysEvent.Type] = [
        AgentCreatedV1.self, AgentCreated.self, AgentUpdated.self, AgentStatusChanged.self, AgentSpecializationAdded.self,
        AgentSpecializationRemoved.self, AgentTopicSubscribed.self, AgentTopicUnsubscribed.self, AgentTemplateCreated.self,
        AgentTemplateVersionPublished.self, AgentExecutionQueued.self, AgentExecutionStateChanged.self,
        AgentExecutionProgress.self, AgentExecutionCompleted.self, AgentExecutionDeadlineExceeded.self, AgentMessageSent.self, AgentMessageDelivered.self,
        ProjectCreated.self, ProjectStatusChanged.self, PlanCreated.self, PlanStatusChanged.self, TaskCreated.self,
        TaskDependencyAdded.self, TaskAssigned.self, TaskStatusChanged.self, TaskOverdue.self, ModelRegistered.self, ModelRequestCompleted.self,
        ModelRequestFailed.self, ToolRegistered.self, ToolIntegrated.self, ToolExecuted.self,
    ]
}

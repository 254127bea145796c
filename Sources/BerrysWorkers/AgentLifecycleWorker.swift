import BerrysDomain
import BerrysJSON
import EventLog
import Workers

/// On `agent.created`: CREATED→INITIALIZING, then the template check, then INITIALIZING→READY
/// (or INITIALIZING→ERROR with the reason when its template does not exist).
///
/// Template existence is decided from the log itself (the template subject's sequence kept by
/// the append function), not from a read model that may lag: a template published on another
/// partition just before the agent is seen even when its projection has not caught up.
public struct AgentLifecycleWorker: Worker {
    public let name = "agent-lifecycle"
    public let emittedTypes: Set<String> = [AgentStatusChanged.eventType]
    public let handledTypes: Set<String> = [AgentCreated.eventType]

    /// The worker; it keeps no state in the process.
    public init() {}

    public func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft] {
        let agent = try AgentCreated(json: event.data)
        var steps = [Self.step(agent.agentID, from: (.inactive, .created), to: (.inactive, .initializing), reason: "agent created")]
        if let templateID = agent.templateID, try await context.log.currentSequence(subject: templateID) == 0 {
            steps.append(Self.step(agent.agentID, from: (.inactive, .initializing), to: (.error, .error),
                                   reason: "template \(templateID) does not exist"))
        } else {
            steps.append(Self.step(agent.agentID, from: (.inactive, .initializing), to: (.inactive, .ready), reason: "initialized"))
        }
        return try steps.map { change in
            try AgentStateMachine.check(from: (change.previousStatus, change.previousStateDetail), to: (change.newStatus, change.newStateDetail))
            return try change.draft()
        }
    }

    static func step(_ agentID: String, from: (AgentStatus, AgentStateDetail), to: (AgentStatus, AgentStateDetail), reason: String) -> AgentStatusChanged {
        AgentStatusChanged(agentID: agentID, previousStatus: from.0, newStatus: to.0, previousStateDetail: from.1,
                           newStateDetail: to.1, reason: reason)
    }
}

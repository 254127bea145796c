import BerrysJSON

/// `agent.execution.queued` v1: A task was queued for an agent to execute.
public struct AgentExecutionQueued: BerrysEvent {
    public static let eventType = "agent.execution.queued"
    public static let schemaVersion = 1

    public var executionID: String
    public var agentID: String
    public var taskID: String
    public var title: String
    public var description: String?
    public var priority: ExecutionPriority
    public var deadline: String?

    public init(executionID: String, agentID: String, taskID: String, title: String, description: String? = nil, priority: ExecutionPriority, deadline: String? = nil) {
        self.executionID = executionID
        self.agentID = agentID
        self.taskID = taskID
        self.title = title
        self.description = description
        self.priority = priority
        self.deadline = deadline
    }

    enum CodingKeys: String, CodingKey {
        case executionID = "execution_id", agentID = "agent_id", taskID = "task_id", title, description, priority, deadline
    }
}

/// `agent.execution.state_changed` v1: An execution moved in its state machine.
public struct AgentExecutionStateChanged: BerrysEvent {
    public static let eventType = "agent.execution.state_changed"
    public static let schemaVersion = 1

    public var executionID: String
    public var agentID: String
    public var previousState: ExecutionState
    public var newState: ExecutionState
    public var reason: String?

    public init(executionID: String, agentID: String, previousState: ExecutionState, newState: ExecutionState, reason: String? = nil) {
        self.executionID = executionID
        self.agentID = agentID
        self.previousState = previousState
        self.newState = newState
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case executionID = "execution_id", agentID = "agent_id", previousState = "previous_state", newState = "new_state", reason
    }
}

/// `agent.execution.progress` v1: An execution reported progress.
public struct AgentExecutionProgress: BerrysEvent {
    public static let eventType = "agent.execution.progress"
    public static let schemaVersion = 1

    public var executionID: String
    public var agentID: String
    public var progressPercentage: Double
    public var statusMessage: String?

    public init(executionID: String, agentID: String, progressPercentage: Double, statusMessage: String? = nil) {
        self.executionID = executionID
        self.agentID = agentID
        self.progressPercentage = progressPercentage
        self.statusMessage = statusMessage
    }

    enum CodingKeys: String, CodingKey {
        case executionID = "execution_id", agentID = "agent_id", progressPercentage = "progress_percentage", statusMessage = "status_message"
    }
}

/// `agent.execution.completed` v1: An execution ended.
public struct AgentExecutionCompleted: BerrysEvent {
    public static let eventType = "agent.execution.completed"
    public static let schemaVersion = 1

    public var executionID: String
    public var agentID: String
    public var taskID: String
    public var outcome: ExecutionOutcome
    public var result: JSON?
    public var errorMessage: String?

    public init(executionID: String, agentID: String, taskID: String, outcome: ExecutionOutcome, result: JSON? = nil, errorMessage: String? = nil) {
        self.executionID = executionID
        self.agentID = agentID
        self.taskID = taskID
        self.outcome = outcome
        self.result = result
        self.errorMessage = errorMessage
    }

    enum CodingKeys: String, CodingKey {
        case executionID = "execution_id", agentID = "agent_id", taskID = "task_id", outcome, result, errorMessage = "error_message"
    }
}

/// `agent.execution.deadline_exceeded` v1: An execution's deadline passed before the platform
/// saw it end (held since it was queued; cancelled when it ends in time).
public struct AgentExecutionDeadlineExceeded: BerrysEvent {
    public static let eventType = "agent.execution.deadline_exceeded"
    public static let schemaVersion = 1

    public var executionID: String
    public var agentID: String
    public var taskID: String
    public var deadline: String

    public init(executionID: String, agentID: String, taskID: String, deadline: String) {
        self.executionID = executionID
        self.agentID = agentID
        self.taskID = taskID
        self.deadline = deadline
    }

    enum CodingKeys: String, CodingKey {
        case executionID = "execution_id", agentID = "agent_id", taskID = "task_id", deadline
    }
}

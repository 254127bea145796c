/// The platform's status vocabularies, as the schemas spell them.

public enum AgentType: String, Codable, Sendable, CaseIterable {
    case coordinator = "COORDINATOR", assistant = "ASSISTANT", researcher = "RESEARCHER", developer = "DEVELOPER"
    case designer = "DESIGNER", specialist = "SPECIALIST", auditor = "AUDITOR", custom = "CUSTOM"
}

public enum AgentStatus: String, Codable, Sendable, CaseIterable {
    case inactive = "INACTIVE", active = "ACTIVE", busy = "BUSY", error = "ERROR", maintenance = "MAINTENANCE"
}

public enum AgentStateDetail: String, Codable, Sendable, CaseIterable {
    case created = "CREATED", initializing = "INITIALIZING", ready = "READY", active = "ACTIVE"
    case paused = "PAUSED", error = "ERROR", terminated = "TERMINATED"
}

public enum ExecutionPriority: String, Codable, Sendable, CaseIterable {
    case critical, normal, low
}

public enum ExecutionState: String, Codable, Sendable, CaseIterable {
    case queued = "QUEUED", preparing = "PREPARING", running = "RUNNING", paused = "PAUSED"
    case completed = "COMPLETED", failed = "FAILED", cancelled = "CANCELLED"
}

public enum ExecutionOutcome: String, Codable, Sendable, CaseIterable {
    case completed = "COMPLETED", failed = "FAILED", cancelled = "CANCELLED"
}

public enum ProjectStatus: String, Codable, Sendable, CaseIterable {
    case draft = "DRAFT", planning = "PLANNING", inProgress = "IN_PROGRESS", paused = "PAUSED"
    case review = "REVIEW", completed = "COMPLETED", archived = "ARCHIVED", cancelled = "CANCELLED"
}

public enum PlanStatus: String, Codable, Sendable, CaseIterable {
    case draft = "DRAFT", active = "ACTIVE", completed = "COMPLETED", archived = "ARCHIVED", cancelled = "CANCELLED"
}

public enum TaskPriority: String, Codable, Sendable, CaseIterable {
    case low = "LOW", medium = "MEDIUM", high = "HIGH", critical = "CRITICAL"
}

public enum TaskStatus: String, Codable, Sendable, CaseIterable {
    case planned = "PLANNED", ready = "READY", inProgress = "IN_PROGRESS", blocked = "BLOCKED"
    case completed = "COMPLETED", failed = "FAILED", cancelled = "CANCELLED"
}

public enum DependencyType: String, Codable, Sendable, CaseIterable {
    case finishToStart = "FINISH_TO_START", startToStart = "START_TO_START"
    case finishToFinish = "FINISH_TO_FINISH", startToFinish = "START_TO_FINISH"
}

public enum ModelProvider: String, Codable, Sendable, CaseIterable {
    case openAI = "OPENAI", anthropic = "ANTHROPIC", ollama = "OLLAMA", custom = "CUSTOM"
}

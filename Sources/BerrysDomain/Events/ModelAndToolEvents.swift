import BerrysJSON

/// `model.registered` v1: A language model was registered.
public struct ModelRegistered: BerrysEvent {
    public static let eventType = "model.registered"
    public static let schemaVersion = 1

    public var modelID: String
    public var provider: ModelProvider
    public var capabilities: [String]
    public var contextWindow: Int?
    public var costPer1kTokens: Double?

    public init(modelID: String, provider: ModelProvider, capabilities: [String], contextWindow: Int? = nil, costPer1kTokens: Double? = nil) {
        self.modelID = modelID
        self.provider = provider
        self.capabilities = capabilities
        self.contextWindow = contextWindow
        self.costPer1kTokens = costPer1kTokens
    }

    enum CodingKeys: String, CodingKey {
        case modelID = "model_id", provider, capabilities, contextWindow = "context_window", costPer1kTokens = "cost_per_1k_tokens"
    }
}

/// `model.request.completed` v1: A request to a model succeeded.
public struct ModelRequestCompleted: BerrysEvent {
    public static let eventType = "model.request.completed"
    public static let schemaVersion = 1

    public var requestID: String
    public var modelID: String
    public var agentID: String?
    public var tokensIn: Int
    public var tokensOut: Int
    public var latencyMs: Double
    public var cost: Double?

    public init(requestID: String, modelID: String, agentID: String? = nil, tokensIn: Int, tokensOut: Int, latencyMs: Double, cost: Double? = nil) {
        self.requestID = requestID
        self.modelID = modelID
        self.agentID = agentID
        self.tokensIn = tokensIn
        self.tokensOut = tokensOut
        self.latencyMs = latencyMs
        self.cost = cost
    }

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", modelID = "model_id", agentID = "agent_id", tokensIn = "tokens_in", tokensOut = "tokens_out", latencyMs = "latency_ms", cost
    }
}

/// `model.request.failed` v1: A request to a model failed.
public struct ModelRequestFailed: BerrysEvent {
    public static let eventType = "model.request.failed"
    public static let schemaVersion = 1

    public var requestID: String
    public var modelID: String
    public var agentID: String?
    public var errorCode: String
    public var message: String?

    public init(requestID: String, modelID: String, agentID: String? = nil, errorCode: String, message: String? = nil) {
        self.requestID = requestID
        self.modelID = modelID
        self.agentID = agentID
        self.errorCode = errorCode
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", modelID = "model_id", agentID = "agent_id", errorCode = "error_code", message
    }
}

/// `tool.registered` v1: A tool was registered.
public struct ToolRegistered: BerrysEvent {
    public static let eventType = "tool.registered"
    public static let schemaVersion = 1

    public var toolID: String
    public var name: String
    public var category: String?
    public var version: String?
    public var capabilities: [String]?

    public init(toolID: String, name: String, category: String? = nil, version: String? = nil, capabilities: [String]? = nil) {
        self.toolID = toolID
        self.name = name
        self.category = category
        self.version = version
        self.capabilities = capabilities
    }

    enum CodingKeys: String, CodingKey {
        case toolID = "tool_id", name, category, version, capabilities
    }
}

/// `tool.integrated` v1: A tool was made available to an agent.
public struct ToolIntegrated: BerrysEvent {
    public static let eventType = "tool.integrated"
    public static let schemaVersion = 1

    public var toolID: String
    public var agentID: String
    public var permissions: [String]?

    public init(toolID: String, agentID: String, permissions: [String]? = nil) {
        self.toolID = toolID
        self.agentID = agentID
        self.permissions = permissions
    }

    enum CodingKeys: String, CodingKey {
        case toolID = "tool_id", agentID = "agent_id", permissions
    }
}

/// `tool.executed` v1: An agent ran a tool.
public struct ToolExecuted: BerrysEvent {
    public static let eventType = "tool.executed"
    public static let schemaVersion = 1

    public var executionID: String
    public var toolID: String
    public var agentID: String
    public var success: Bool
    public var durationMs: Double

    public init(executionID: String, toolID: String, agentID: String, success: Bool, durationMs: Double) {
        self.executionID = executionID
        self.toolID = toolID
        self.agentID = agentID
        self.success = success
        self.durationMs = durationMs
    }

    enum CodingKeys: String, CodingKey {
        case executionID = "execution_id", toolID = "tool_id", agentID = "agent_id", success, durationMs = "duration_ms"
    }
}

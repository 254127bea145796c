/// The agent's two state machines: its status and its lifecycle detail.
public enum AgentStateMachine {
    public static let status = TransitionTable<AgentStatus>(name: "agent status", allowed: [
        .inactive: [.active, .error, .maintenance],
        .active: [.inactive, .busy, .error, .maintenance],
        .busy: [.active, .inactive, .error, .maintenance],
        .error: [.inactive, .maintenance],
        .maintenance: [.inactive, .active],
    ])

    public static let detail = TransitionTable<AgentStateDetail>(name: "agent state detail", allowed: [
        .created: [.initializing],
        .initializing: [.ready, .error],
        .ready: [.active, .terminated],
        .active: [.paused, .error, .terminated],
        .paused: [.active, .error, .terminated],
        .error: [.initializing, .terminated],
        .terminated: [],
    ])

    /// Checks an `agent.status_changed`: each machine either stays or makes an allowed move,
    /// and at least one of them moves.
    /// - Throws: `TransitionError`.
    public static func check(from: (AgentStatus, AgentStateDetail), to: (AgentStatus, AgentStateDetail)) throws {
        guard from.0 != to.0 || from.1 != to.1 else {
            throw TransitionError(machine: "agent", from: "\(from.0.rawValue)/\(from.1.rawValue)", to: "\(to.0.rawValue)/\(to.1.rawValue)",
                                  message: "agent status change changes nothing (\(from.0.rawValue)/\(from.1.rawValue))")
        }
        if from.0 != to.0 { try status.check(from.0, to.0) }
        if from.1 != to.1 { try detail.check(from.1, to.1) }
    }

    /// Checks an event against the agent's current state: its `previous_*` must be the current one.
    public static func check(_ event: AgentStatusChanged, current: (AgentStatus, AgentStateDetail)) throws {
        guard event.previousStatus == current.0, event.previousStateDetail == current.1 else {
            throw TransitionError(machine: "agent", from: "\(current.0.rawValue)/\(current.1.rawValue)",
                                  to: "\(event.newStatus.rawValue)/\(event.newStateDetail.rawValue)",
                                  message: "agent is \(current.0.rawValue)/\(current.1.rawValue), but the event says it was \(event.previousStatus.rawValue)/\(event.previousStateDetail.rawValue)")
        }
        try check(from: current, to: (event.newStatus, event.newStateDetail))
    }
}

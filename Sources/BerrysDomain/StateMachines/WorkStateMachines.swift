/// The state machines of executions, planning tasks, projects and plans.
public enum WorkStateMachines {
    public static let execution = TransitionTable<ExecutionState>(name: "execution state", allowed: [
        .queued: [.preparing, .cancelled],
        .preparing: [.running, .failed, .cancelled],
        .running: [.paused, .completed, .failed, .cancelled],
        .paused: [.running, .failed, .cancelled],
        .completed: [], .failed: [], .cancelled: [],
    ])

    public static let task = TransitionTable<TaskStatus>(name: "task status", allowed: [
        .planned: [.ready, .inProgress, .blocked, .cancelled],
        .ready: [.planned, .inProgress, .blocked, .cancelled],
        .inProgress: [.ready, .blocked, .completed, .failed, .cancelled],
        .blocked: [.ready, .inProgress, .cancelled],
        .failed: [.ready, .inProgress, .cancelled],
        .completed: [], .cancelled: [],
    ])

    public static let project = TransitionTable<ProjectStatus>(name: "project status", allowed: [
        .draft: [.planning, .cancelled],
        .planning: [.draft, .inProgress, .paused, .cancelled],
        .inProgress: [.paused, .review, .completed, .cancelled],
        .paused: [.planning, .inProgress, .cancelled],
        .review: [.inProgress, .completed, .cancelled],
        .completed: [.archived],
        .cancelled: [.archived],
        .archived: [],
    ])

    public static let plan = TransitionTable<PlanStatus>(name: "plan status", allowed: [
        .draft: [.active, .cancelled],
        .active: [.draft, .completed, .cancelled],
        .completed: [.archived],
        .cancelled: [.archived],
        .archived: [],
    ])
}

/// The planning side's task priority as the agent side's execution priority.
public enum PriorityMapping {
    /// HIGH and CRITICAL → critical, MEDIUM → normal, LOW → low; anything else → normal.
    public static func executionPriority(forTaskPriority priority: String?) -> ExecutionPriority {
        switch priority.flatMap(TaskPriority.init(rawValue:)) {
        case .high?, .critical?: return .critical
        case .low?: return .low
        case .medium?, nil: return .normal
        }
    }
}

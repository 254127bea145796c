import BerrysJSON

/// `project.created` v1: A project was created.
public struct ProjectCreated: BerrysEvent {
    public static let eventType = "project.created"
    public static let schemaVersion = 1

    public var projectID: String
    public var name: String
    public var description: String?
    public var ownerID: String?

    public init(projectID: String, name: String, description: String? = nil, ownerID: String? = nil) {
        self.projectID = projectID
        self.name = name
        self.description = description
        self.ownerID = ownerID
    }

    enum CodingKeys: String, CodingKey {
        case projectID = "project_id", name, description, ownerID = "owner_id"
    }
}

/// `project.status_changed` v1: A project moved in its status machine.
public struct ProjectStatusChanged: BerrysEvent {
    public static let eventType = "project.status_changed"
    public static let schemaVersion = 1

    public var projectID: String
    public var previousStatus: ProjectStatus
    public var newStatus: ProjectStatus
    public var reason: String?

    public init(projectID: String, previousStatus: ProjectStatus, newStatus: ProjectStatus, reason: String? = nil) {
        self.projectID = projectID
        self.previousStatus = previousStatus
        self.newStatus = newStatus
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case projectID = "project_id", previousStatus = "previous_status", newStatus = "new_status", reason
    }
}

/// `plan.created` v1: A plan was created for a project.
public struct PlanCreated: BerrysEvent {
    public static let eventType = "plan.created"
    public static let schemaVersion = 1

    public var planID: String
    public var projectID: String
    public var name: String
    public var description: String?

    public init(planID: String, projectID: String, name: String, description: String? = nil) {
        self.planID = planID
        self.projectID = projectID
        self.name = name
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case planID = "plan_id", projectID = "project_id", name, description
    }
}

/// `plan.status_changed` v1: A plan moved in its status machine.
public struct PlanStatusChanged: BerrysEvent {
    public static let eventType = "plan.status_changed"
    public static let schemaVersion = 1

    public var planID: String
    public var previousStatus: PlanStatus
    public var newStatus: PlanStatus

    public init(planID: String, previousStatus: PlanStatus, newStatus: PlanStatus) {
        self.planID = planID
        self.previousStatus = previousStatus
        self.newStatus = newStatus
    }

    enum CodingKeys: String, CodingKey {
        case planID = "plan_id", previousStatus = "previous_status", newStatus = "new_status"
    }
}

/// `task.created` v1: A planning task was created in a plan.
public struct TaskCreated: BerrysEvent {
    public static let eventType = "task.created"
    public static let schemaVersion = 1

    public var taskID: String
    public var planID: String
    public var name: String
    public var description: String?
    public var priority: TaskPriority
    public var dueDate: String?
    public var estimatedHours: Double?
    public var requiredSkills: [String]?

    public init(taskID: String, planID: String, name: String, description: String? = nil, priority: TaskPriority, dueDate: String? = nil, estimatedHours: Double? = nil, requiredSkills: [String]? = nil) {
        self.taskID = taskID
        self.planID = planID
        self.name = name
        self.description = description
        self.priority = priority
        self.dueDate = dueDate
        self.estimatedHours = estimatedHours
        self.requiredSkills = requiredSkills
    }

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id", planID = "plan_id", name, description, priority, dueDate = "due_date", estimatedHours = "estimated_hours", requiredSkills = "required_skills"
    }
}

/// `task.dependency.added` v1: A task now depends on another.
public struct TaskDependencyAdded: BerrysEvent {
    public static let eventType = "task.dependency.added"
    public static let schemaVersion = 1

    public var taskID: String
    public var dependsOnTaskID: String
    public var dependencyType: DependencyType

    public init(taskID: String, dependsOnTaskID: String, dependencyType: DependencyType) {
        self.taskID = taskID
        self.dependsOnTaskID = dependsOnTaskID
        self.dependencyType = dependencyType
    }

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id", dependsOnTaskID = "depends_on_task_id", dependencyType = "dependency_type"
    }
}

/// `task.assigned` v1: A task was assigned to an agent.
public struct TaskAssigned: BerrysEvent {
    public static let eventType = "task.assigned"
    public static let schemaVersion = 1

    public var taskID: String
    public var planID: String
    public var agentID: String

    public init(taskID: String, planID: String, agentID: String) {
        self.taskID = taskID
        self.planID = planID
        self.agentID = agentID
    }

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id", planID = "plan_id", agentID = "agent_id"
    }
}

/// `task.status_changed` v1: A task moved in its status machine.
public struct TaskStatusChanged: BerrysEvent {
    public static let eventType = "task.status_changed"
    public static let schemaVersion = 1

    public var taskID: String
    public var planID: String
    public var previousStatus: TaskStatus
    public var newStatus: TaskStatus
    public var reason: String?
    public var result: JSON?

    public init(taskID: String, planID: String, previousStatus: TaskStatus, newStatus: TaskStatus, reason: String? = nil, result: JSON? = nil) {
        self.taskID = taskID
        self.planID = planID
        self.previousStatus = previousStatus
        self.newStatus = newStatus
        self.reason = reason
        self.result = result
    }

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id", planID = "plan_id", previousStatus = "previous_status", newStatus = "new_status", reason, result
    }
}

/// `task.overdue` v1: A task's due date passed before it reached a final status (held since it
/// was created; cancelled when it ends in time).
public struct TaskOverdue: BerrysEvent {
    public static let eventType = "task.overdue"
    public static let schemaVersion = 1

    public var taskID: String
    public var planID: String
    public var dueDate: String

    public init(taskID: String, planID: String, dueDate: String) {
        self.taskID = taskID
        self.planID = planID
        self.dueDate = dueDate
    }

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id", planID = "plan_id", dueDate = "due_date"
    }
}

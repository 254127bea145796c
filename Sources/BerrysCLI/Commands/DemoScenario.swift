import CommandSupport
import BerrysDomain
import BerrysJSON
import EventLog
import Workers

/// A realistic day on the platform, as events: a project with a plan, tasks and dependencies,
/// agents from templates, assignments (which the workers turn into executions), executions
/// running and completing (which the workers report on the tasks), topic and direct messages,
/// model requests and tool runs. Ids are derived from names, so publishing it again appends
/// duplicates, not copies.
struct DemoScenario {
    static func id(_ name: String) -> String { DeterministicID.uuid("berrys/demo/\(name)") }

    let project = Self.id("project"), plan = Self.id("plan")
    let researchTemplate = Self.id("template/researcher"), developerTemplate = Self.id("template/developer")
    let researcher = Self.id("agent/ada"), developer = Self.id("agent/linus"), coordinator = Self.id("agent/grace")
    let survey = Self.id("task/survey"), prototype = Self.id("task/prototype"), report = Self.id("task/report")
    let searchTool = Self.id("tool/web-search")
    var assignSurvey: String { Self.id("event/assign-survey") }
    var assignPrototype: String { Self.id("event/assign-prototype") }

    /// What is published first (everything the workers react to).
    var setup: [(id: String, event: any BerrysEvent)] {
        var events: [(String, any BerrysEvent)] = [
            ("project", ProjectCreated(projectID: project, name: "Literature-driven prototype", description: "Survey, build, report")),
            ("project-planning", ProjectStatusChanged(projectID: project, previousStatus: .draft, newStatus: .planning)),
            ("plan", PlanCreated(planID: plan, projectID: project, name: "Q4 plan", description: "Three steps")),
            ("plan-active", PlanStatusChanged(planID: plan, previousStatus: .draft, newStatus: .active)),
            ("task-survey", TaskCreated(taskID: survey, planID: plan, name: "Survey prior work", description: "Find the 20 most cited papers",
                                        priority: .high, dueDate: "2026-12-01T12:00:00Z", estimatedHours: 6, requiredSkills: ["literature-review"])),
            ("task-prototype", TaskCreated(taskID: prototype, planID: plan, name: "Build the prototype", priority: .medium,
                                           dueDate: "2026-12-10T12:00:00Z", estimatedHours: 16, requiredSkills: ["swift"])),
            ("task-report", TaskCreated(taskID: report, planID: plan, name: "Write the report", priority: .low, estimatedHours: 4)),
            ("dep-prototype", TaskDependencyAdded(taskID: prototype, dependsOnTaskID: survey, dependencyType: .finishToStart)),
            ("dep-report", TaskDependencyAdded(taskID: report, dependsOnTaskID: prototype, dependencyType: .finishToStart)),
            ("template-researcher", AgentTemplateCreated(templateID: researchTemplate, name: "Researcher", agentType: .researcher,
                                                         capabilities: ["web-search"], promptTemplate: "You are {{name}}, a careful researcher.")),
            ("template-researcher-v1", AgentTemplateVersionPublished(templateID: researchTemplate, versionNumber: 1,
                                                                     content: .object(["temperature": .number(0.2)]), changelog: "first version")),
            ("template-developer", AgentTemplateCreated(templateID: developerTemplate, name: "Developer", agentType: .developer,
                                                        capabilities: ["code"], promptTemplate: "You are {{name}}, a Swift developer.")),
            ("agent-ada", AgentCreated(agentID: researcher, name: "Ada", agentType: .researcher, projectID: project,
                                       templateID: researchTemplate, specializations: ["literature-review"], capabilities: ["web-search"])),
            ("agent-linus", AgentCreated(agentID: developer, name: "Linus", agentType: .developer, projectID: project,
                                         templateID: developerTemplate, specializations: ["swift"])),
            ("agent-grace", AgentCreated(agentID: coordinator, name: "Grace", agentType: .coordinator, projectID: project, specializations: [])),
            ("ada-specialization", AgentSpecializationAdded(agentID: researcher, specialization: "citation-analysis")),
            ("sub-ada", AgentTopicSubscribed(agentID: researcher, topic: "project.updates")),
            ("sub-linus", AgentTopicSubscribed(agentID: developer, topic: "project.updates")),
            ("sub-grace", AgentTopicSubscribed(agentID: coordinator, topic: "project.updates")),
            ("model", ModelRegistered(modelID: "gpt-4o", provider: .openAI, capabilities: ["chat", "tools"], contextWindow: 128_000, costPer1kTokens: 0.005)),
            ("tool", ToolRegistered(toolID: searchTool, name: "web-search", category: "research", version: "1.2.0", capabilities: ["search"])),
            ("tool-ada", ToolIntegrated(toolID: searchTool, agentID: researcher, permissions: ["read"])),
            ("project-in-progress", ProjectStatusChanged(projectID: project, previousStatus: .planning, newStatus: .inProgress)),
            ("message-kickoff", AgentMessageSent(messageID: Self.id("message/kickoff"), fromAgentID: coordinator,
                                                 routing: .topic("project.updates"), content: "Kick-off: survey first, then build.", priority: 2)),
            ("message-ada", AgentMessageSent(messageID: Self.id("message/ada"), fromAgentID: coordinator,
                                             routing: .direct(recipientID: researcher), content: "Please start the survey today.", priority: 1)),
        ]
        events.append(("assign-survey", TaskAssigned(taskID: survey, planID: plan, agentID: researcher)))
        events.append(("assign-prototype", TaskAssigned(taskID: prototype, planID: plan, agentID: developer)))
        return events.map { name, event in (name == "assign-survey" ? assignSurvey : name == "assign-prototype" ? assignPrototype : Self.id("event/\(name)"), event) }
    }

    /// The execution planning-to-agent creates for an assignment.
    func execution(forAssignment eventID: String) -> String { DeterministicID.uuid("berrys/execution/\(eventID)") }

    /// What happens once the executions exist: the survey runs and completes, the prototype starts.
    var progress: [(id: String, event: any BerrysEvent)] {
        let surveyRun = execution(forAssignment: assignSurvey), prototypeRun = execution(forAssignment: assignPrototype)
        let events: [(String, any BerrysEvent)] = [
            ("ada-active", AgentStatusChanged(agentID: researcher, previousStatus: .inactive, newStatus: .active, previousStateDetail: .ready, newStateDetail: .active)),
            ("survey-in-progress", TaskStatusChanged(taskID: survey, planID: plan, previousStatus: .planned, newStatus: .inProgress)),
            ("survey-preparing", AgentExecutionStateChanged(executionID: surveyRun, agentID: researcher, previousState: .queued, newState: .preparing)),
            ("survey-running", AgentExecutionStateChanged(executionID: surveyRun, agentID: researcher, previousState: .preparing, newState: .running)),
            ("survey-50", AgentExecutionProgress(executionID: surveyRun, agentID: researcher, progressPercentage: 50, statusMessage: "10 of 20 papers")),
            ("request-1", ModelRequestCompleted(requestID: Self.id("request/1"), modelID: "gpt-4o", agentID: researcher, tokensIn: 1200, tokensOut: 350, latencyMs: 840, cost: 0.0078)),
            ("request-2", ModelRequestFailed(requestID: Self.id("request/2"), modelID: "gpt-4o", agentID: researcher, errorCode: "rate_limited", message: "429 from provider")),
            ("tool-run", ToolExecuted(executionID: Self.id("tool-run/1"), toolID: searchTool, agentID: researcher, success: true, durationMs: 420)),
            ("survey-100", AgentExecutionProgress(executionID: surveyRun, agentID: researcher, progressPercentage: 100, statusMessage: "done")),
            ("survey-completed-state", AgentExecutionStateChanged(executionID: surveyRun, agentID: researcher, previousState: .running, newState: .completed)),
            ("survey-completed", AgentExecutionCompleted(executionID: surveyRun, agentID: researcher, taskID: survey, outcome: .completed,
                                                         result: .object(["papers": .number(20), "summary": .string("12 relevant, 8 background")]))),
            ("prototype-preparing", AgentExecutionStateChanged(executionID: prototypeRun, agentID: developer, previousState: .queued, newState: .preparing)),
            ("message-done", AgentMessageSent(messageID: Self.id("message/done"), fromAgentID: researcher, routing: .topic("project.updates"),
                                              content: "Survey done: see the task result.", priority: 2)),
        ]
        return events.map { (Self.id("event/\($0.0)"), $0.1) }
    }
}

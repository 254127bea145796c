import BerrysDomain
import BerrysJSON
@testable import BerrysWorkers
import EventLog
import Foundation
import PostgresClient
import TestSupport
import Testing
@testable import Workers

/// The Berrys domain workers end to end on the real test Redis and PostgreSQL.
@Suite struct DomainWorkersTests {
    static func uuid() -> String { UUID().uuidString.lowercased() }

    /// Runs `body` while `workers` run on a fresh database, stopping them afterwards.
    func withRuntime<T>(_ harness: RuntimeHarness, _ workers: [any Worker],
                        _ body: (PostgresPool) async throws -> T) async throws -> T {
        let postgres = PostgresPool(conninfo: try await TestServers.freshDatabase(), size: 4)
        return try await harness.withRuntime(workers, postgres: postgres) { try await body(postgres) }
    }

    func publish<E: BerrysEvent>(_ harness: RuntimeHarness, _ event: E) async throws -> AppendResult {
        try await harness.log.append(try event.draft())
    }

    @Test func agentLifecycleInitializesAgentsAndFailsThoseWithAMissingTemplate() async throws {
        let harness = try await RuntimeHarness()
        let template = Self.uuid(), good = Self.uuid(), orphan = Self.uuid(), missingTemplate = Self.uuid()
        _ = try await publish(harness, AgentTemplateCreated(templateID: template, name: "T", agentType: .researcher, promptTemplate: "p"))
        _ = try await publish(harness, AgentCreated(agentID: good, name: "good", agentType: .assistant, templateID: template, specializations: []))
        _ = try await publish(harness, AgentCreated(agentID: orphan, name: "orphan", agentType: .assistant, templateID: missingTemplate, specializations: []))
        try await withRuntime(harness, [AgentLifecycleWorker()]) { _ in
            try await eventually("four status changes", progress: { try await harness.progressMark(["agent-lifecycle"]) }) {
                try await harness.events(ofType: AgentStatusChanged.eventType).count == 4
            }
        }

        let changes = try await harness.events(ofType: AgentStatusChanged.eventType).map { try AgentStatusChanged(json: $0.data) }
        let goodPath = changes.filter { $0.agentID == good }.map { "\($0.newStatus.rawValue)/\($0.newStateDetail.rawValue)" }
        let orphanPath = changes.filter { $0.agentID == orphan }.map { "\($0.newStatus.rawValue)/\($0.newStateDetail.rawValue)" }
        #expect(goodPath == ["INACTIVE/INITIALIZING", "INACTIVE/READY"])
        #expect(orphanPath == ["INACTIVE/INITIALIZING", "ERROR/ERROR"])
        #expect(changes.last { $0.agentID == orphan }?.reason?.contains(missingTemplate) == true)
    }

    @Test func planningToAgentQueuesAnExecutionPerAssignmentAndDeadLettersAnAssignmentOfAnUnknownTask() async throws {
        let harness = try await RuntimeHarness()
        let plan = Self.uuid(), task = Self.uuid(), agent = Self.uuid(), unknownTask = Self.uuid()
        _ = try await publish(harness, TaskCreated(taskID: task, planID: plan, name: "Survey", description: "read papers",
                                                   priority: .high, dueDate: "2026-12-01T12:00:00Z"))
        let assigned = try await publish(harness, TaskAssigned(taskID: task, planID: plan, agentID: agent))
        _ = try await publish(harness, TaskAssigned(taskID: unknownTask, planID: plan, agentID: agent))
        try await withRuntime(harness, [PlanningToAgentWorker()]) { _ in
            // Progress-based: beside two CPU hogs the fixed 60 s ran out while the worker was still
            // starting and retrying the unknown task's assignment.
            try await eventually("one execution queued and the unknown task's assignment parked",
                                 progress: { try await harness.progressMark(["planning-to-agent"]) }) {
                let queued = try await harness.events(ofType: AgentExecutionQueued.eventType).count
                return try await harness.deadLetters().count == 1 && queued == 1
            }
        }
        let queued = try await harness.events(ofType: AgentExecutionQueued.eventType)
        let execution = try AgentExecutionQueued(json: queued[0].data)
        #expect(execution.taskID == task && execution.agentID == agent)
        #expect(execution.title == "Survey" && execution.description == "read papers")
        #expect(execution.priority == .critical)
        #expect(execution.deadline == "2026-12-01T12:00:00Z")
        #expect(execution.executionID == DeterministicID.uuid("berrys/execution/\(assigned.id)"))
        #expect(queued[0].causationID == assigned.id)
        let letter = try await harness.deadLetters()[0]
        #expect(letter.reason == .maxDeliveries && letter.error.contains(unknownTask))
    }

    @Test func executionToTaskReportsTheOutcomeOnTheTaskThroughValidTransitions() async throws {
        let harness = try await RuntimeHarness()
        let plan = Self.uuid(), done = Self.uuid(), failed = Self.uuid(), agent = Self.uuid()
        for task in [done, failed] {
            _ = try await publish(harness, TaskCreated(taskID: task, planID: plan, name: "t", priority: .low))
        }
        _ = try await publish(harness, TaskStatusChanged(taskID: done, planID: plan, previousStatus: .planned, newStatus: .inProgress))
        try await withRuntime(harness, [ExecutionToTaskWorker()]) { postgres in
            // The facts must have seen the IN_PROGRESS change before the completion is handled.
            try await eventually("the task facts know both tasks", progress: { try await harness.progressMark(["execution-to-task"]) }) {
                (try? await postgres.query("SELECT count(*) FILTER (WHERE status = 'IN_PROGRESS') || '/' || count(*) FROM worker_state.tasks").scalar) == "1/2"
            }
            _ = try await publish(harness, AgentExecutionCompleted(executionID: Self.uuid(), agentID: agent, taskID: done, outcome: .completed,
                                                                   result: .object(["summary": .string("ok")])))
            _ = try await publish(harness, AgentExecutionCompleted(executionID: Self.uuid(), agentID: agent, taskID: failed, outcome: .failed,
                                                                   errorMessage: "tool crashed"))
            try await eventually("four status changes", progress: { try await harness.progressMark(["execution-to-task"]) }) {
                try await harness.events(ofType: TaskStatusChanged.eventType).count == 4
            }
        }
        let changes = try await harness.events(ofType: TaskStatusChanged.eventType).map { try TaskStatusChanged(json: $0.data) }
        #expect(changes.filter { $0.taskID == done }.map(\.newStatus) == [.inProgress, .completed])
        #expect(changes.first { $0.taskID == done && $0.newStatus == .completed }?.result == .object(["summary": .string("ok")]))
        #expect(changes.filter { $0.taskID == failed }.map { "\($0.previousStatus.rawValue)>\($0.newStatus.rawValue)" }
            == ["PLANNED>IN_PROGRESS", "IN_PROGRESS>FAILED"])
        #expect(changes.first { $0.taskID == failed && $0.newStatus == .failed }?.reason == "tool crashed")
    }

    @Test func executionToTaskDoesNotRepeatAStepAnotherProducerPublishedMeanwhile() async throws {
        let harness = try await RuntimeHarness()
        let plan = Self.uuid(), task = Self.uuid(), agent = Self.uuid()
        _ = try await publish(harness, TaskCreated(taskID: task, planID: plan, name: "t", priority: .low))
        _ = try await publish(harness, TaskAssigned(taskID: task, planID: plan, agentID: agent))
        let competitor = RacedExecutionToTask.Competitor {
            _ = try await publish(harness, TaskStatusChanged(taskID: task, planID: plan, previousStatus: .planned, newStatus: .inProgress,
                                                             reason: "another producer"))
        }
        let completion = try await withRuntime(harness, [RacedExecutionToTask(competitor: competitor)]) { postgres in
            // The facts know the task at its second event (the assignment counts for its sequence).
            try await eventually("the task facts at sequence 2", progress: { try await harness.progressMark(["execution-to-task"]) }) {
                (try? await postgres.query("SELECT last_sequence FROM worker_state.tasks").scalar) == "2"
            }
            let completion = try await publish(harness, AgentExecutionCompleted(executionID: Self.uuid(), agentID: agent, taskID: task,
                                                                                outcome: .completed))
            try await eventually("the task completed", progress: { try await harness.progressMark(["execution-to-task"]) }) {
                try await harness.events(ofType: TaskStatusChanged.eventType).contains { try TaskStatusChanged(json: $0.data).newStatus == .completed }
            }
            return completion
        }
        let changes = try await harness.events(ofType: TaskStatusChanged.eventType)
        let steps = try changes.map { try TaskStatusChanged(json: $0.data) }.map { "\($0.previousStatus.rawValue)>\($0.newStatus.rawValue)" }
        // The worker had computed PLANNED>IN_PROGRESS too; its append was refused and the retry
        // went on from the competitor's IN_PROGRESS.
        #expect(await competitor.ran)
        #expect(steps == ["PLANNED>IN_PROGRESS", "IN_PROGRESS>COMPLETED"])
        #expect(changes.map(\.sequence) == [3, 4])
        #expect(changes.last?.causationID == completion.id)
        #expect(try await harness.deadLetters().isEmpty)
    }

    @Test func messageRouterDeliversDirectMessagesAndTopicMessagesToTheSubscribersOfThatMoment() async throws {
        let harness = try await RuntimeHarness()
        let sender = Self.uuid(), alice = Self.uuid(), bob = Self.uuid(), carol = Self.uuid()
        let topic = "research.\(Self.uuid())"
        _ = try await publish(harness, AgentTopicSubscribed(agentID: alice, topic: topic))
        _ = try await publish(harness, AgentTopicSubscribed(agentID: bob, topic: topic))
        _ = try await publish(harness, AgentTopicSubscribed(agentID: sender, topic: topic))
        let first = try await publish(harness, AgentMessageSent(messageID: Self.uuid(), fromAgentID: sender, routing: .topic(topic), content: "1", priority: 1))
        _ = try await publish(harness, AgentTopicUnsubscribed(agentID: bob, topic: topic))
        _ = try await publish(harness, AgentTopicSubscribed(agentID: carol, topic: topic))
        let second = try await publish(harness, AgentMessageSent(messageID: Self.uuid(), fromAgentID: sender, routing: .topic(topic), content: "2", priority: 1))
        let direct = try await publish(harness, AgentMessageSent(messageID: Self.uuid(), fromAgentID: sender, routing: .direct(recipientID: carol),
                                                                 content: "3", priority: 1))
        try await withRuntime(harness, [MessageRouterWorker()]) { _ in
            try await eventually("five deliveries", progress: { try await harness.progressMark(["message-router"]) }) {
                try await harness.events(ofType: AgentMessageDelivered.eventType).count == 5
            }
        }
        let deliveries = try await harness.events(ofType: AgentMessageDelivered.eventType)
        func recipients(_ sent: AppendResult) -> Set<String> {
            Set(deliveries.filter { $0.causationID == sent.id }.compactMap { try? AgentMessageDelivered(json: $0.data).recipientID })
        }
        #expect(recipients(first) == [alice, bob])
        #expect(recipients(second) == [alice, carol])
        #expect(recipients(direct) == [carol])
    }
}

/// The domain workers' pure decisions.
@Suite struct DomainDecisionTests {
    @Test func executionOutcomesReachTheTaskThroughValidSteps() {
        func path(_ from: TaskStatus, _ to: TaskStatus) -> [String] {
            ExecutionToTaskWorker.path(from: from, to: to).map { "\($0.from.rawValue)>\($0.to.rawValue)" }
        }
        #expect(path(.inProgress, .completed) == ["IN_PROGRESS>COMPLETED"])
        #expect(path(.ready, .completed) == ["READY>IN_PROGRESS", "IN_PROGRESS>COMPLETED"])
        #expect(path(.planned, .cancelled) == ["PLANNED>CANCELLED"])
        #expect(path(.completed, .failed).isEmpty)
        #expect(path(.cancelled, .completed).isEmpty)
        #expect(path(.failed, .failed).isEmpty)
        for from in TaskStatus.allCases {
            for to in [TaskStatus.completed, .failed, .cancelled] {
                for step in ExecutionToTaskWorker.path(from: from, to: to) {
                    #expect(WorkStateMachines.task.allows(step.from, step.to), "\(step)")
                }
            }
        }
    }

    @Test func directRoutingNamesTheOneRecipient() async throws {
        let message = AgentMessageSent(messageID: "m", fromAgentID: "a", routing: .direct(recipientID: "b"), content: "c", priority: 1)
        #expect(try await DirectRouting().recipients(of: message, at: nil) == ["b"])
    }

    @Test func everyWorkerHasAUniqueNameAndHandlesKnownTypes() throws {
        let names = BerrysWorkerCatalog.all.map(\.name)
        #expect(Set(names).count == names.count)
        for worker in BerrysWorkerCatalog.all {
            for type in worker.handledTypes { #expect(TestLog.registry.newestVersion(of: type) != nil, "\(worker.name): \(type)") }
        }
        #expect(throws: WorkerCatalogError.self) { try BerrysWorkerCatalog.select(["nope"]) }
    }
}

@Suite(.serialized) struct PostgresOutageTests {
    /// PostgreSQL down when the workers start: they wait for it instead of exiting, then work.
    @Test func workersWaitForPostgreSQLAndThenProcess() async throws {
        let server = try await SparePostgresServer.make()
        defer { server.destroy() }
        await server.stopOffPool()
        let harness = try await RuntimeHarness()
        let plan = UUID().uuidString.lowercased(), task = UUID().uuidString.lowercased(), agent = UUID().uuidString.lowercased()
        _ = try await harness.log.append(try TaskCreated(taskID: task, planID: plan, name: "t", priority: .low).draft())
        _ = try await harness.log.append(try TaskAssigned(taskID: task, planID: plan, agentID: agent).draft())
        let worker = PrepareCounting(PlanningToAgentWorker())
        try await harness.withRuntime([worker], postgres: PostgresPool(conninfo: server.url, size: 2)) {
            // The runtime keeps trying to prepare the worker (its tables) while PostgreSQL is
            // down, instead of exiting; nothing is queued meanwhile.
            try await eventually("the worker's preparation tried again while PostgreSQL is down") { worker.failures >= 2 }
            #expect(try await harness.events(ofType: AgentExecutionQueued.eventType).isEmpty)
            try await server.startOffPool()
            try await eventually("the execution queued once PostgreSQL is back", timeout: 90) {
                try await harness.events(ofType: AgentExecutionQueued.eventType).count == 1
            }
        }
    }
}

/// execution-to-task with a competing producer: right after the worker computed its steps for
/// an execution's completion (the first time), another producer changes the task, between the
/// worker's read of the task and its append.
struct RacedExecutionToTask: Worker {
    /// Publishes the competing change once.
    actor Competitor {
        let action: @Sendable () async throws -> Void
        private(set) var ran = false

        init(_ action: @escaping @Sendable () async throws -> Void) { self.action = action }

        func runOnce() async throws {
            guard !ran else { return }
            ran = true
            try await action()
        }
    }

    let inner = ExecutionToTaskWorker()
    let competitor: Competitor
    var name: String { inner.name }
    var handledTypes: Set<String> { inner.handledTypes }

    func prepare(_ context: WorkerContext) async throws { try await inner.prepare(context) }

    func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft] {
        let drafts = try await inner.handle(event, context: context)
        if event.type == AgentExecutionCompleted.eventType { try await competitor.runOnce() }
        return drafts
    }
}

import BerrysDomain
import BerrysJSON
@testable import BerrysWorkers
import EventLog
import Foundation
import Logging
import PostgresClient
import ServiceLifecycle
import TestSupport
import Testing
import Workers

/// Deadlines and due dates on the real test Redis and PostgreSQL: held events, the firer, the
/// deadlines worker and execution-to-task together.
@Suite struct DeadlineWorkerTests {
    static func uuid() -> String { UUID().uuidString.lowercased() }
    static func time(in seconds: Double) -> String { Timestamp.format(Date().addingTimeInterval(seconds)) }

    /// Runs `body` while the workers and a scheduled-event firer run on `postgres`.
    func withPlatform<T>(_ harness: RuntimeHarness, postgres: PostgresPool, firing: Bool = true,
                         _ body: () async throws -> T) async throws -> T {
        let firers = firing ? [ScheduledEventFirer(log: harness.log, logger: RunningServices.quietLogger)] : []
        return try await withServices(firers) {
            try await harness.withRuntime([DeadlineWorker(), ExecutionToTaskWorker()], postgres: postgres, body)
        }
    }

    /// A task, and an execution of it queued with `deadline`.
    func queue(_ harness: RuntimeHarness, deadline: String?) async throws -> (execution: String, task: String, agent: String) {
        let (execution, task, agent, plan) = (Self.uuid(), Self.uuid(), Self.uuid(), Self.uuid())
        _ = try await harness.log.append(try TaskCreated(taskID: task, planID: plan, name: "T", priority: .medium).draft())
        _ = try await harness.log.append(try AgentExecutionQueued(executionID: execution, agentID: agent, taskID: task, title: "T",
                                                                  priority: .normal, deadline: deadline).draft())
        return (execution, task, agent)
    }

    func events<E: BerrysEvent>(_ type: E.Type, _ harness: RuntimeHarness, subject: String) async throws -> [E] {
        try await harness.events(ofType: E.eventType).filter { $0.subject == subject }.map { try E(json: $0.data) }
    }

    /// The workers that take part, whose progress the tests wait for.
    static let workers = [DeadlineWorker().name, ExecutionToTaskWorker().name]

    /// A deadline already past when the worker sees the execution is appended at once; one an
    /// hour away is cancelled by the completion. No waiting on the clock: the tests wait for the
    /// workers to have handled everything, then look.
    @Test func anExecutionPastItsDeadlineFailsOnceAndOneFinishedInTimeDoesNot() async throws {
        let harness = try await RuntimeHarness()
        let postgres = PostgresPool(conninfo: try await TestServers.freshDatabase(), size: 4)
        let late = try await queue(harness, deadline: Self.time(in: -1))
        let onTime = try await queue(harness, deadline: Self.time(in: 3600))
        try await withPlatform(harness, postgres: postgres) {
            _ = try await harness.log.append(try AgentExecutionCompleted(executionID: onTime.execution, agentID: onTime.agent,
                                                                         taskID: onTime.task, outcome: .completed).draft())
            try await eventually("the late execution failed and its task with it, the other's deadline cancelled",
                                 progress: { try await harness.progressMark(Self.workers) }) {
                let failed = try await events(TaskStatusChanged.self, harness, subject: late.task).contains { $0.newStatus == .failed }
                let nothingHeld = try await harness.log.scheduledEvents().isEmpty
                return try await failed && nothingHeld ? harness.caughtUp(Self.workers) : false
            }
        }
        #expect(try await events(AgentExecutionDeadlineExceeded.self, harness, subject: late.execution).count == 1)
        let steps = try await events(AgentExecutionStateChanged.self, harness, subject: late.execution)
        #expect(steps.map { "\($0.previousState.rawValue)→\($0.newState.rawValue)" } == ["QUEUED→PREPARING", "PREPARING→FAILED"],
                "through the execution state machine")
        #expect(steps.allSatisfy { $0.reason == DeadlineWorker.reason })
        let ends = try await events(AgentExecutionCompleted.self, harness, subject: late.execution)
        #expect(ends.map(\.outcome) == [.failed] && ends.first?.errorMessage?.hasPrefix("deadline exceeded") == true)
        #expect(try await events(TaskStatusChanged.self, harness, subject: late.task).map(\.newStatus) == [.inProgress, .failed])

        #expect(try await events(AgentExecutionStateChanged.self, harness, subject: onTime.execution).isEmpty, "never failed")
        #expect(try await events(AgentExecutionCompleted.self, harness, subject: onTime.execution).map(\.outcome) == [.completed])
        #expect(try await harness.events(ofType: AgentExecutionDeadlineExceeded.eventType).allSatisfy { $0.subject != onTime.execution })
        #expect(try await harness.log.scheduledEvents().isEmpty)
        #expect(try await harness.deadLetters().isEmpty)
    }

    /// Held while everything ran, then every process stopped across the deadline: the first
    /// start after it fires the held event, and the execution fails once.
    @Test func aDeadlinePassedWhileNothingRanFailsTheExecutionOnceAtTheNextStart() async throws {
        // The processes' wall clock moves on by an hour while nothing runs: no waiting for the
        // deadline, and the held event is certainly held before it.
        let wall = ShiftedWallClock()
        let harness = try await RuntimeHarness(clock: wall.clock)
        let postgres = PostgresPool(conninfo: try await TestServers.freshDatabase(), size: 4)
        let late = try await queue(harness, deadline: Timestamp.format(harness.log.clock.date.addingTimeInterval(3600)))
        try await withPlatform(harness, postgres: postgres, firing: false) {
            try await eventually("the deadline held") { try await harness.log.scheduledEvents().count == 1 }
        }
        wall.moveWallTime(by: .seconds(3601))
        try await withPlatform(harness, postgres: postgres) {
            try await eventually("failed after the restart",
                                 progress: { try await harness.progressMark(Self.workers) }) {
                let ended = try await events(AgentExecutionCompleted.self, harness, subject: late.execution).count == 1
                return try await ended ? harness.caughtUp(Self.workers) : false
            }
        }
        #expect(try await events(AgentExecutionDeadlineExceeded.self, harness, subject: late.execution).count == 1)
        #expect(try await events(AgentExecutionCompleted.self, harness, subject: late.execution).map(\.outcome) == [.failed])
    }

    @Test func aTaskPastItsDueDateIsOverdueOnceAndOneCancelledInTimeIsNot() async throws {
        let harness = try await RuntimeHarness()
        let postgres = PostgresPool(conninfo: try await TestServers.freshDatabase(), size: 4)
        let (late, cancelled, plan) = (Self.uuid(), Self.uuid(), Self.uuid())
        let due = Self.time(in: -1)
        _ = try await harness.log.append(try TaskCreated(taskID: late, planID: plan, name: "late", priority: .low, dueDate: due).draft())
        _ = try await harness.log.append(try TaskCreated(taskID: cancelled, planID: plan, name: "done", priority: .low,
                                                         dueDate: Self.time(in: 3600)).draft())
        try await withPlatform(harness, postgres: postgres) {
            _ = try await harness.log.append(try TaskStatusChanged(taskID: cancelled, planID: plan, previousStatus: .planned,
                                                                   newStatus: .cancelled).draft())
            try await eventually("overdue, and the cancelled one's due date let go",
                                 progress: { try await harness.progressMark(Self.workers) }) {
                let overdue = try await !events(TaskOverdue.self, harness, subject: late).isEmpty
                let nothingHeld = try await harness.log.scheduledEvents().isEmpty
                return try await overdue && nothingHeld ? harness.caughtUp(Self.workers) : false
            }
        }
        let overdue = try await events(TaskOverdue.self, harness, subject: late)
        #expect(overdue.count == 1 && overdue.first?.dueDate == due && overdue.first?.planID == plan)
        #expect(try await events(TaskOverdue.self, harness, subject: cancelled).isEmpty)
    }

    @Test func thePathToFailedFollowsTheExecutionStateMachine() {
        #expect(DeadlineWorker.path(from: .queued).map(\.to) == [.preparing, .failed])
        #expect(DeadlineWorker.path(from: .running).map(\.to) == [.failed])
        #expect(DeadlineWorker.path(from: .paused).map(\.to) == [.failed])
        #expect(DeadlineWorker.path(from: .completed).isEmpty && DeadlineWorker.path(from: .cancelled).isEmpty)
    }
}

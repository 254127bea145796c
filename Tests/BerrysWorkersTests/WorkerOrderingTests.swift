import BerrysDomain
import BerrysJSON
@testable import BerrysWorkers
import EventLog
import Foundation
import Logging
import PostgresClient
import TestSupport
import Testing
import Workers

/// Orderings of deadline, completion and task events that a loaded machine (or production)
/// produces, forced one by one: the handlers are called directly in that order on the real
/// test Redis and PostgreSQL, with no runtime, no firer and no waiting. Each ordering the
/// platform itself can create must end in the right events, never in a dead letter (a
/// permanent failure) or a key blocked for ever (a transient one that cannot clear).
@Suite struct WorkerOrderingTests {
    static func uuid() -> String { UUID().uuidString.lowercased() }

    struct World {
        let harness: RuntimeHarness
        let context: WorkerContext

        init() async throws {
            harness = try await RuntimeHarness()
            let postgres = PostgresPool(conninfo: try await TestServers.freshDatabase(), size: 2)
            context = WorkerContext(logger: Logger(label: "test.ordering"), log: harness.log, postgres: postgres, attempt: 1)
            try await DeadlineWorker().prepare(context)
            try await ExecutionToTaskWorker().prepare(context)
        }

        /// Appends `draft` and returns it as a worker receives it (with its sequence).
        func append(_ draft: EventDraft) async throws -> EventEnvelope {
            let result = try await harness.log.append(draft)
            return try #require(try await harness.events(ofType: draft.type).first { $0.id == result.id })
        }

        /// Appends what a handler emitted, each under its expected sequence, as the runtime does.
        func appendEmitted(_ drafts: [EventDraft]) async throws -> [EventEnvelope] {
            var appended: [EventEnvelope] = []
            for draft in drafts { appended.append(try await append(draft)) }
            return appended
        }
    }

    func queued(_ execution: String, task: String = uuid()) throws -> EventDraft {
        try AgentExecutionQueued(executionID: execution, agentID: Self.uuid(), taskID: task, title: "T", priority: .normal).draft()
    }

    func deadline(_ execution: String) throws -> EventDraft {
        try AgentExecutionDeadlineExceeded(executionID: execution, agentID: Self.uuid(), taskID: Self.uuid(),
                                           deadline: "2026-01-01T00:00:00Z").draft()
    }

    /// The deadline fired as the execution completed: the completion is in the log, after the
    /// deadline, when the worker handles the deadline. Before, the failing steps were expected
    /// at the deadline's sequence and refused for ever (the completion waits behind it).
    @Test func aCompletionAppendedAsTheDeadlineFiredEndsTheExecutionAndNothingFails() async throws {
        let world = try await World()
        let worker = DeadlineWorker()
        let execution = Self.uuid()
        let queued = try await world.append(try queued(execution))
        let exceeded = try await world.append(try deadline(execution))
        let completed = try await world.append(try AgentExecutionCompleted(executionID: execution, agentID: Self.uuid(), taskID: Self.uuid(),
                                                                           outcome: .completed).draft())
        #expect(try await worker.handle(queued, context: world.context).isEmpty)
        #expect(try await worker.handle(exceeded, context: world.context).isEmpty, "waits for the later events")
        #expect(try await worker.handle(completed, context: world.context).isEmpty, "the completion ended it")
        #expect(try await world.harness.log.currentSequence(subject: execution) == 3)
    }

    /// The deadline fired while the execution was still making progress: the failure is made
    /// after the later event is handled, from the state it left, and every step is accepted.
    @Test func progressAppendedAsTheDeadlineFiredIsHandledFirstThenTheExecutionFails() async throws {
        let world = try await World()
        let worker = DeadlineWorker()
        let execution = Self.uuid()
        let queued = try await world.append(try queued(execution))
        let exceeded = try await world.append(try deadline(execution))
        let running = try await world.append(try AgentExecutionStateChanged(executionID: execution, agentID: Self.uuid(),
                                                                            previousState: .queued, newState: .preparing).draft())
        _ = try await worker.handle(queued, context: world.context)
        #expect(try await worker.handle(exceeded, context: world.context).isEmpty)
        let steps = try await world.appendEmitted(try await worker.handle(running, context: world.context))
        #expect(steps.map(\.type) == [AgentExecutionStateChanged.eventType, AgentExecutionCompleted.eventType])
        #expect(steps.map(\.sequence) == [4, 5])
        #expect(try AgentExecutionStateChanged(json: steps[0].data).previousState == .preparing)
        // The worker then sees its own steps: nothing more is emitted.
        for step in steps { #expect(try await worker.handle(step, context: world.context).isEmpty) }
    }

    /// The ordinary case is unchanged: nothing after the deadline, the execution fails at once.
    @Test func aDeadlineWithNothingAfterItFailsTheExecutionAtOnce() async throws {
        let world = try await World()
        let worker = DeadlineWorker()
        let execution = Self.uuid()
        let queued = try await world.append(try queued(execution))
        let exceeded = try await world.append(try deadline(execution))
        _ = try await worker.handle(queued, context: world.context)
        let steps = try await world.appendEmitted(try await worker.handle(exceeded, context: world.context))
        #expect(steps.map(\.sequence) == [3, 4, 5])
        // Handled again (a redelivery): the same ids, dropped as duplicates by the log.
        let again = try await worker.handle(exceeded, context: world.context)
        #expect(again.isEmpty || Set(again.compactMap(\.id)).isSubset(of: Set(steps.map(\.id))))
    }

    /// The execution's completion came before its task's creation was seen: the task's events
    /// are on another partition, which may be behind. That is transient (wait), not a dead letter;
    /// once `task.created` is handled, the task fails. (Under the full suite this ordering
    /// dead-lettered the completion after the test settings' three quick attempts.)
    @Test func aCompletionSeenBeforeItsTasksCreationWaitsForIt() async throws {
        let world = try await World()
        let worker = ExecutionToTaskWorker()
        let (execution, task) = (Self.uuid(), Self.uuid())
        let created = try await world.append(try TaskCreated(taskID: task, planID: Self.uuid(), name: "T", priority: .low).draft())
        let completed = try await world.append(try AgentExecutionCompleted(executionID: execution, agentID: Self.uuid(), taskID: task,
                                                                           outcome: .failed, errorMessage: "boom").draft())
        await #expect {
            _ = try await worker.handle(completed, context: world.context)
        } throws: { error in
            FailureClassifier.kind(of: error) == .transient && "\(error)".contains("partition is behind")
        }
        #expect(try await worker.handle(created, context: world.context).isEmpty)
        let steps = try await world.appendEmitted(try await worker.handle(completed, context: world.context))
        #expect(try steps.map { try TaskStatusChanged(json: $0.data).newStatus } == [.inProgress, .failed])
    }

    /// A completion naming a task that the log does not hold at all is an error of the event.
    @Test func aCompletionOfATaskTheLogDoesNotHoldIsPermanent() async throws {
        let world = try await World()
        let completed = try await world.append(try AgentExecutionCompleted(executionID: Self.uuid(), agentID: Self.uuid(), taskID: Self.uuid(),
                                                                           outcome: .completed).draft())
        await #expect {
            _ = try await ExecutionToTaskWorker().handle(completed, context: world.context)
        } throws: { error in
            FailureClassifier.kind(of: error) == .permanent && "\(error)".contains("not in the log")
        }
    }
}

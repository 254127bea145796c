import BerrysDomain
import EventLog
import Foundation
import RedisClient
import Synchronization

/// The producer of a fault run: a steady stream of units published one after another, each
/// retried until Redis acknowledges it, and a record of what was acknowledged.
///
/// A unit is a task created then assigned (planning-to-agent turns the assignment into an
/// `agent.execution.queued`), one in ten an agent created (agent-lifecycle makes it READY),
/// and one in 25 a poison: an assignment of a task that was never created, which
/// planning-to-agent refuses as permanent and dead-letters. Only poisons may reach a DLQ.
final class FaultLoad: Sendable {
    /// What the producer saw: the audit's reference.
    struct Tally: Sendable {
        /// Ids Redis acknowledged (appended or reported as a duplicate of a stored append).
        var acked: Set<String> = []
        /// Acknowledged `task.assigned` ids of known tasks: each must cause one execution.
        var ackedAssignments: Set<String> = []
        /// Poison ids attempted (they may be in the log even without an acknowledgement) and acknowledged.
        var poisonAttempted: Set<String> = []
        var poisonAcked: Set<String> = []
        /// Where the acknowledged poisons are ("partition/stream id"): they stay pending through
        /// their retries on purpose, so recovery does not wait for them.
        var poisonPositions: Set<String> = []
        /// Refused or failed attempts by reason (the first words of the error), retried afterwards.
        var refusals: [String: Int] = [:]
        /// Attempts that failed although the event had reached the log (acknowledged on a retry as a duplicate).
        var duplicatesOnRetry = 0
    }

    private let log: EventLog
    private let unitsPerSecond: Double
    private let tally = Mutex(Tally())
    private let paused = Atomic<Bool>(false)

    init(log: EventLog, unitsPerSecond: Double) {
        self.log = log
        self.unitsPerSecond = unitsPerSecond
    }

    /// A copy of the record so far.
    var snapshot: Tally { tally.withLock { $0 } }

    /// Where the poisons acknowledged so far are.
    var poisonPositions: Set<String> { tally.withLock { $0.poisonPositions } }

    /// Stops publishing new units (the one in progress is finished) until `resume()`.
    func pause() { paused.store(true, ordering: .relaxed) }
    func resume() { paused.store(false, ordering: .relaxed) }

    /// Publishes units at the rate until the task is cancelled.
    func run() async {
        var agents: [String] = []
        var unit = 0
        let interval = 1 / unitsPerSecond
        var next = Date()
        while !Task.isCancelled {
            if paused.load(ordering: .relaxed) {
                try? await Task.sleep(for: .milliseconds(20))
                next = Date()
                continue
            }
            do {
                try await publishUnit(unit, agents: &agents)
            } catch {
                return  // cancelled while retrying
            }
            unit += 1
            next += interval
            let wait = next.timeIntervalSinceNow
            if wait > 0 { try? await Task.sleep(for: .seconds(wait)) } else { next = Date() }
        }
    }

    private func publishUnit(_ unit: Int, agents: inout [String]) async throws {
        if agents.isEmpty || unit % 10 == 0 {
            let agent = UUID().uuidString.lowercased()
            try await publish(AgentCreated(agentID: agent, name: "fault agent \(unit)", agentType: .assistant, specializations: ["faults"]).draft())
            agents.append(agent)
            return
        }
        let plan = "0000fa17-0000-4000-8000-000000000000"
        let agent = agents[unit % agents.count]
        if unit % 25 == 0 {
            let poison = try TaskAssigned(taskID: UUID().uuidString.lowercased(), planID: plan, agentID: agent).draft()
            try await publish(poison, poison: true)
            return
        }
        let task = UUID().uuidString.lowercased()
        try await publish(TaskCreated(taskID: task, planID: plan, name: "fault task \(unit)", priority: .high).draft())
        try await publish(TaskAssigned(taskID: task, planID: plan, agentID: agent).draft(), assignment: true)
    }

    /// Appends one event, retrying every refusal that is not the event's own fault (Redis
    /// down, stalled, out of memory) until it is acknowledged.
    private func publish(_ draft: EventDraft, poison: Bool = false, assignment: Bool = false) async throws {
        let envelope = try log.prepare(draft)
        if poison { tally.withLock { _ = $0.poisonAttempted.insert(envelope.id) } }
        var failedBefore = false
        while true {
            try Task.checkCancellation()
            do {
                let result = try await log.append(prepared: envelope)
                tally.withLock { tally in
                    tally.acked.insert(envelope.id)
                    if poison {
                        tally.poisonAcked.insert(envelope.id)
                        tally.poisonPositions.insert("\(result.position.partition)/\(result.position.streamID)")
                    }
                    if assignment { tally.ackedAssignments.insert(envelope.id) }
                    if result.duplicate && failedBefore { tally.duplicatesOnRetry += 1 }
                }
                return
            } catch let error as EventLogError where error.code == .unavailable {
                record(error.message)
            } catch let error as RedisError {
                record(error.description)
            }
            failedBefore = true
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    private func record(_ message: String) {
        let reason = Self.reason(message)
        tally.withLock { $0.refusals[reason, default: 0] += 1 }
    }

    /// The first words of an error, without the parts that change from one attempt to the next.
    static func reason(_ message: String) -> String {
        let words = message.replacingOccurrences(of: "Redis refused the append: ", with: "").split(separator: " ").prefix(5)
        return words.joined(separator: " ")
    }
}

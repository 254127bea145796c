import BerrysDomain
import BerrysJSON
import CommandSupport
import Dispatch
import EventLog
import Foundation
import Projections

/// Atomic sets next to the non-atomic batch publish of the same events, and the decide helper,
/// for `berrys-bench publish` (`--sets-only` runs just these).
struct AtomicSetsBench {
    let context: Context
    /// Events per measured path.
    let events: Int
    /// Publishers side by side.
    let publishers: Int

    /// How the events of one set relate.
    enum Shape: String, CaseIterable {
        /// A project's creation and its status changes: one subject.
        case oneSubject = "one subject"
        /// Messages on one topic: a subject each, one partition key.
        case onePartitionKey = "one partition key"
    }

    /// One line of the report.
    struct Figures {
        var shape: Shape, size: Int
        var atomicRate: Double, batchRate: Double
        var atomicCPU: Double, batchCPU: Double
        var text: String {
            String(format: "  %-18@ %2d a set: atomic %7.0f events/s, %5.2f µs Redis CPU/event; batch %7.0f events/s, %5.2f µs; atomic/batch %.2f",
                   shape.rawValue as NSString, size, atomicRate, atomicCPU, batchRate, batchCPU, batchRate > 0 ? atomicRate / batchRate : 0)
        }
    }

    func report() async throws -> String {
        var lines = ["atomic sets (\(events) events a path, \(publishers) publishers; Redis CPU from INFO cpu; atomic = EventLog.appendAtomically, batch = appendBatch of the same sets):"]
        for shape in Shape.allCases {
            for size in [2, 5, 20] { lines.append(try await measure(shape, size: size).text) }
        }
        lines.append("decide helper (SubjectDecider: load → fold → decide → append a pair atomically):")
        lines.append(try await measureDecisions(subjects: publishers, decidersPerSubject: 1))
        lines.append(try await measureDecisions(subjects: 1, decidersPerSubject: 4))
        return lines.joined(separator: "\n")
    }

    /// Atomic and batch publish of the same kind of sets, each on a fresh log.
    private func measure(_ shape: Shape, size: Int) async throws -> Figures {
        let (atomicRate, atomicCPU) = try await onFreshLog { log in
            try await rate(log, shape: shape, size: size) { log, set in _ = try await log.appendAtomically(set) }
        }
        let (batchRate, batchCPU) = try await onFreshLog { log in
            try await rate(log, shape: shape, size: size) { log, set in
                for result in try await log.appendBatch(set) { _ = try result.get() }
            }
        }
        return Figures(shape: shape, size: size, atomicRate: atomicRate, batchRate: batchRate, atomicCPU: atomicCPU, batchCPU: batchCPU)
    }

    /// Events/s and Redis CPU µs per event of `append` over fresh sets.
    private func rate(_ log: EventLog, shape: Shape, size: Int,
                      append: @escaping @Sendable (EventLog, [(envelope: EventEnvelope, expected: ExpectedSequence)]) async throws -> Void)
        async throws -> (Double, Double) {
        let setsPerPublisher = max(events / size / publishers, 1)
        let sets = try (0..<publishers).map { _ in try (0..<setsPerPublisher).map { _ in try Self.set(shape, size: size, log: log) } }
        let total = setsPerPublisher * size * publishers
        let started = DispatchTime.now().uptimeNanoseconds
        let ((), cpu) = try await RedisServerStats.cpuMicrosecondsPerEvent(events: total, redis: log.redis) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for mine in sets {
                    group.addTask { for set in mine { try await append(log, set) } }
                }
                try await group.waitForAll()
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return (Double(total) / seconds, cpu)
    }

    /// A set of `size` prepared events of `shape`, the first of each subject under `none`.
    static func set(_ shape: Shape, size: Int, log: EventLog) throws -> [(envelope: EventEnvelope, expected: ExpectedSequence)] {
        switch shape {
        case .oneSubject:
            let project = UUID().uuidString.lowercased()
            var drafts = [try ProjectCreated(projectID: project, name: "Bench").draft()]
            for step in 1..<size {
                let (from, to): (ProjectStatus, ProjectStatus) = step % 2 == 1 ? (.draft, .planning) : (.planning, .draft)
                drafts.append(try ProjectStatusChanged(projectID: project, previousStatus: from, newStatus: to).draft())
            }
            return try drafts.enumerated().map { (try log.prepare($1), $0 == 0 ? .none : .any) }
        case .onePartitionKey:
            let topic = "bench-\(UUID().uuidString.prefix(8))"
            return try (0..<size).map { _ in
                let data: JSON = .object(["message_id": .string(UUID().uuidString.lowercased()), "from_agent_id": .string(UUID().uuidString.lowercased()),
                                          "routing": .object(["kind": .string("topic"), "topic": .string(topic)]),
                                          "content": .string("bench"), "priority": .number(2)])
                return (try log.prepare(EventDraft(type: "agent.message.sent", data: data)), .none)
            }
        }
    }

    /// Runs `body` on a log in a fresh namespace, deleted afterwards.
    private func onFreshLog<T>(_ body: (EventLog) async throws -> T) async throws -> T {
        var settings = context.settings.log
        settings.namespace = "bench-\(UUID().uuidString.prefix(8).lowercased())"
        let log = try await EventLog.open(redis: context.redis, configuration: settings, registry: context.registry,
                                          conventions: BerrysConventions(), defaultSource: "berrys-bench")
        do {
            let result = try await body(log)
            try await BenchKeys.delete(prefix: settings.namespace, redis: context.redis)
            return result
        } catch {
            try? await BenchKeys.delete(prefix: settings.namespace, redis: context.redis)
            throw error
        }
    }

    /// Decisions/s and load → decide → append latency on `subjects` hot projects with
    /// `decidersPerSubject` deciders each (1: no contention).
    private func measureDecisions(subjects: Int, decidersPerSubject: Int) async throws -> String {
        let decisionsPerDecider = max(events / 50 / (subjects * decidersPerSubject), 20)
        return try await onFreshLog { log in
            let decider = SubjectDecider(log: log, archive: nil, maximumAttempts: 10_000)
            let projects = (0..<subjects).map { _ in UUID().uuidString.lowercased() }
            for project in projects { _ = try await log.append(try ProjectCreated(projectID: project, name: "Hot").draft(), expected: .none) }
            let started = DispatchTime.now().uptimeNanoseconds
            let samples = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
                for project in projects {
                    for _ in 0..<decidersPerSubject {
                        group.addTask {
                            var latencies: [Double] = [], attempts = 0
                            for _ in 0..<decisionsPerDecider {
                                let begin = DispatchTime.now().uptimeNanoseconds
                                attempts += try await Self.decidePair(decider, project: project).attempts
                                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6)
                            }
                            return (latencies, attempts)
                        }
                    }
                }
                return try await group.reduce(into: ([Double](), 0)) { $0.0 += $1.0; $0.1 += $1.1 }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let summary = LatencySummary(samples.0)
            return String(format: "  %d subject(s) × %d decider(s): %.0f decisions/s, p50 %.2f ms, p99 %.2f ms, %.2f attempts a decision (histories up to %d events)",
                          subjects, decidersPerSubject, Double(summary.count) / seconds, summary.p50, summary.p99,
                          Double(samples.1) / Double(max(summary.count, 1)), 1 + 2 * decisionsPerDecider * decidersPerSubject)
        }
    }

    /// One decision: the project's status folded; from DRAFT, the pair DRAFT → PLANNING → DRAFT.
    static func decidePair(_ decider: SubjectDecider, project: String) async throws -> SubjectDecider.Decision {
        try await decider.decide(subject: project, initial: ProjectStatus.draft, evolve: { status, event in
            event.data["new_status"]?.stringValue.flatMap(ProjectStatus.init(rawValue:)) ?? status
        }) { status in
            guard status == .draft else { throw EventLogError(.invalidEnvelope, "project \(project) is \(status.rawValue), not DRAFT") }
            return [try ProjectStatusChanged(projectID: project, previousStatus: .draft, newStatus: .planning).draft(),
                    try ProjectStatusChanged(projectID: project, previousStatus: .planning, newStatus: .draft).draft()]
        }
    }
}

import BerrysPlatform
import CommandSupport
import ArgumentParser
import BerrysDomain
import BerrysJSON
import BerrysWorkers
import EventLog
import Foundation
import PostgresClient
import Workers

struct WorkersBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers",
        abstract: "Events/s through a no-op worker and through planning-to-agent, on 1 and 2 runtimes, next to raw XREADGROUP+XACK.",
        discussion: """
        Each run drains a backlog published beforehand into a throw-away namespace (deleted afterwards); \
        "2 runtimes" are two worker runtimes with their own consumer names in this one process, sharing \
        the partitions through leases as two processes would. Latency is append → handled for events \
        published one by one while a runtime is idle. planning-to-agent needs BERRYS_DATABASE_URL.
        """)

    @Option(help: "Events in the no-op backlog.") var events: Int = 200_000
    @Option(help: "Tasks (task.created + task.assigned each) in the planning-to-agent backlog.") var tasks: Int = 25_000
    @Option(help: "Events processed at once per worker and partition.") var concurrency: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Events published one by one for the latency run.") var latencyEvents: Int = 2_000

    func run() async throws {
        try await reportingFailures {
            let context = try Context(domain: .berrys, redisPoolSize: 16)
            let settings = WorkerSettings(concurrency: concurrency, batchSize: 500, block: .milliseconds(100), lease: .seconds(2))
            let lines = try await BenchLogs.with(context) { logs in
                var lines: [String] = []
                try await measure(context: context, settings: settings, logs: logs, lines: &lines)
                return lines
            }
            print("workers benchmark (\(context.settings.log.partitions) partitions, concurrency \(concurrency), \(events) no-op events, \(tasks) tasks)")
            for line in lines { print("  " + line) }
        }
    }

    private func measure(context: Context, settings: WorkerSettings, logs: BenchLogs, lines: inout [String]) async throws {
        let backlog = try await logs.fresh()
        try await BenchBacklog.publish(Self.statusChanges(events), to: backlog)
        // The raw rate is measured before and after the worker runs and the ratios use their
        // mean: on a shared machine the speed drifts over a run, and one side of the ratio
        // should not get a fast moment the other missed.
        var cpu = CPUMeter(redis: context.redis)
        try await cpu.start()
        let rawBefore = try await RawConsumeBaseline.measure(log: backlog, redis: context.redis, batch: settings.batchSize, group: "bench-raw-1")
        let rawCost = try await Self.cost(cpu, events)
        let decode = try await DecodeBaseline.microsecondsPerEvent(log: backlog, redis: context.redis)
        var workerLines: [String] = []
        var rates: [Double] = []
        for runtimes in [1, 2] {
            let meter = HandledMeter()
            let worker = NoOpWorker(name: "bench-noop-\(runtimes)", handledTypes: ["project.status_changed"], meter: meter)
            try await cpu.start()
            rates.append(try await BenchRuntimes.drain(count: events, progress: { meter.count }) {
                BenchRuntimes.start([worker], count: runtimes, log: backlog, redis: context.redis, postgres: nil, settings: settings)
            })
            workerLines.append(try await Self.cost(cpu, events))
        }
        let rawAfter = try await RawConsumeBaseline.measure(log: backlog, redis: context.redis, batch: settings.batchSize, group: "bench-raw-2")
        let raw = (rawBefore + rawAfter) / 2
        lines.append("raw XREADGROUP+XACK:            \(Int(raw)) entries/s (mean of \(Int(rawBefore)) before and \(Int(rawAfter)) after the workers; "
                     + "batches of \(settings.batchSize), one connection per partition)" + rawCost)
        lines.append("decode only:                    \(String(format: "%.2f", decode)) µs/event (envelope + schema + upcast, no I/O)")
        for (index, rate) in rates.enumerated() {
            lines.append("no-op worker, \(index + 1) runtime(s):       \(Int(rate)) events/s = \(String(format: "%.2f", rate / raw)) × raw"
                         + workerLines[index])
        }

        let latencyLog = try await logs.fresh()
        let meter = HandledMeter()
        meter.startLatency()
        let latencyWorker = NoOpWorker(name: "bench-latency", handledTypes: ["project.status_changed"], meter: meter)
        let idle = BenchRuntimes.start([latencyWorker], count: 1, log: latencyLog, redis: context.redis, postgres: nil, settings: settings)
        try await Task.sleep(for: .seconds(1))
        for draft in Self.statusChanges(latencyEvents) { _ = try await latencyLog.append(draft) }
        while meter.count < latencyEvents { try await Task.sleep(for: .milliseconds(10)) }
        try await idle.stop()
        let (p50, p99) = meter.percentiles()
        lines.append("publish → handled (no-op):      p50 \(String(format: "%.2f", p50)) ms, p99 \(String(format: "%.2f", p99)) ms (\(latencyEvents) events one by one)")

        let postgres = context.postgres(size: 8 + 2 * concurrency)
        for runtimes in [1, 2] {
            let log = try await logs.fresh()
            let plan = UUID().uuidString.lowercased()
            try await BenchBacklog.publish(Self.planning(tasks, plan: plan), to: log)
            let meter = HandledMeter()
            let worker = MeteredWorker(inner: PlanningToAgentWorker(), meter: meter)
            let rate = try await BenchRuntimes.drain(count: 2 * tasks, progress: { meter.count }) {
                BenchRuntimes.start([worker], count: runtimes, log: log, redis: context.redis, postgres: postgres, settings: settings)
            }
            try await postgres.query("DELETE FROM worker_state.tasks WHERE plan_id = $1::uuid", [plan])
            lines.append("planning-to-agent, \(runtimes) runtime(s):  \(Int(rate)) events/s (\(Int(rate / 2)) executions queued/s; read facts + emit)")
        }
    }

    /// "; CPU x µs/event here + y µs in Redis", for a step measured by `cpu`.
    private static func cost(_ cpu: CPUMeter, _ events: Int) async throws -> String {
        let (process, redis) = try await cpu.microsecondsPerItem(events)
        return String(format: "; CPU %.1f µs/event here + %.1f µs in Redis", process, redis)
    }

    static func statusChanges(_ count: Int) -> [EventDraft] {
        let keys = (0..<1000).map { _ in UUID().uuidString.lowercased() }
        return (0..<count).map { index in
            EventDraft(type: "project.status_changed", data: .object([
                "project_id": .string(keys[index % keys.count]), "previous_status": .string("DRAFT"), "new_status": .string("PLANNING"),
            ]))
        }
    }

    static func planning(_ count: Int, plan: String) -> [EventDraft] {
        let agent = UUID().uuidString.lowercased()
        return (0..<count).flatMap { index -> [EventDraft] in
            let task = UUID().uuidString.lowercased()
            return [
                EventDraft(type: "task.created", data: .object(["task_id": .string(task), "plan_id": .string(plan),
                                                                "name": .string("task \(index)"), "priority": .string("HIGH")])),
                EventDraft(type: "task.assigned", data: .object(["task_id": .string(task), "plan_id": .string(plan), "agent_id": .string(agent)])),
            ]
        }
    }
}

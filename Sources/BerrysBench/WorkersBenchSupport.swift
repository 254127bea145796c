import BerrysRuntime
import BerrysFoundation
import CommandSupport
import EventLog
import Foundation
import Logging
import PostgresClient
import RedisClient
import ServiceLifecycle
import Synchronization
import Workers

/// Counts what a wrapped worker handles and how long after its append each event was handled.
final class HandledMeter: Sendable {
    // Mutex: handlers on many tasks record into it.
    private let state = Mutex<(count: Int, latencies: [Double], recordLatency: Bool)>((0, [], false))

    func record(_ event: EventEnvelope) {
        let appendedMilliseconds = Double(event.position?.streamID.milliseconds ?? 0)
        let now = Date().timeIntervalSince1970 * 1000
        state.withLock {
            $0.count += 1
            if $0.recordLatency { $0.latencies.append(now - appendedMilliseconds) }
        }
    }

    var count: Int { state.withLock { $0.count } }

    func startLatency() { state.withLock { $0.recordLatency = true; $0.latencies = [] } }

    /// p50 and p99 of the recorded latencies, in milliseconds.
    func percentiles() -> (p50: Double, p99: Double) {
        let summary = LatencySummary(state.withLock { $0.latencies })
        return (summary.p50, summary.p99)
    }
}

/// A worker that does nothing but count.
struct NoOpWorker: Worker {
    let name: String
    let handledTypes: Set<String>
    let meter: HandledMeter

    func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft] {
        meter.record(event)
        return []
    }
}

/// Wraps a batch worker to count what it handles.
struct MeteredWorker: BatchWorker {
    let inner: any BatchWorker
    let meter: HandledMeter
    var name: String { inner.name }
    var handledTypes: Set<String> { inner.handledTypes }

    func prepare(_ context: WorkerContext) async throws { try await inner.prepare(context) }

    func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft] {
        let emitted = try await inner.handle(event, context: context)
        meter.record(event)
        return emitted
    }

    func handle(batch events: [EventEnvelope], context: WorkerContext) async throws -> [Result<[EventDraft], any Error>] {
        let results = try await inner.handle(batch: events, context: context)
        for (event, result) in zip(events, results) where (try? result.get()) != nil { meter.record(event) }
        return results
    }
}

/// Runtimes started in this process, each as if it were its own process (own consumer name).
struct BenchRuntimes {
    let groups: [ServiceGroup]
    let tasks: [Task<Void, any Error>]

    static func start(_ workers: [any Worker], count: Int, log: EventLog, redis: RedisPool, postgres: PostgresPool?,
                      settings: WorkerSettings) -> BenchRuntimes {
        var logger = Logger(label: "berrys.bench")
        logger.logLevel = .warning
        var groups: [ServiceGroup] = []
        var tasks: [Task<Void, any Error>] = []
        for index in 0..<count {
            let runtime = WorkerRuntime(workers: workers, log: log, redis: redis, postgres: postgres, settings: settings,
                                        consumer: "bench-\(index)-\(UUID().uuidString.prefix(6))", logger: logger)
            let group = ServiceGroup(configuration: .named([runtime], logger: logger))
            groups.append(group)
            tasks.append(Task { try await group.run() })
        }
        return BenchRuntimes(groups: groups, tasks: tasks)
    }

    func stop() async throws {
        for group in groups { await group.triggerGracefulShutdown() }
        for task in tasks { try await task.value }
    }

    /// Starts runtimes, waits until `progress` reaches `count` (reporting on stderr every 2 s),
    /// stops them. - Returns: items per second.
    static func drain(count: Int, progress: () -> Int, start: () -> BenchRuntimes) async throws -> Double {
        let began = Date()
        let runtimes = start()
        var lastReport = Date()
        while progress() < count {
            try await Task.sleep(for: .milliseconds(5))
            if Date().timeIntervalSince(lastReport) > 2 {
                printError("  … \(progress())/\(count)")
                lastReport = Date()
            }
        }
        let rate = Double(count) / Date().timeIntervalSince(began)
        try await runtimes.stop()
        return rate
    }
}

/// A backlog for a benchmark to drain.
enum BenchBacklog {
    /// Appends `drafts`, 1000 per batch.
    static func publish(_ drafts: [EventDraft], to log: EventLog) async throws {
        var start = 0
        while start < drafts.count {
            let chunk = try drafts[start..<min(start + 1000, drafts.count)].map { try log.prepare($0) }
            for result in try await log.appendBatch(chunk) { _ = try result.get() }
            start += 1000
        }
    }
}

/// The raw rate of XREADGROUP + XACK over `events` entries, one connection per partition.
enum RawConsumeBaseline {
    /// - Parameter group: a consumer group of its own, so that each measurement reads every entry.
    static func measure(log: EventLog, redis: RedisPool, batch: Int, group consumerGroup: String) async throws -> Double {
        let partitions = log.partitioner.partitions
        let start = Date()
        let total = try await withThrowingTaskGroup(of: Int.self) { tasks in
            for partition in 0..<partitions {
                tasks.addTask {
                    let group = consumerGroup
                    let stream = log.configuration.streamKey(partition: partition)
                    let connection = redis.makeDedicatedConnection(routedBy: stream)
                    try await connection.send(RedisCommand("XGROUP", "CREATE", stream, group, "0", "MKSTREAM"))
                    var consumed = 0
                    while true {
                        // The cheapest copy of the reply the client has (entries straight from hiredis).
                        let reply = try await connection.send(RedisCommand("XREADGROUP", "GROUP", group, "raw", "COUNT", String(batch),
                                                                           "STREAMS", stream, ">").replying(as: .firstStreamEntries))
                        let ids = (reply.entries ?? []).map(\.id)
                        if ids.isEmpty { break }
                        try await connection.send(RedisCommand(["XACK", stream, group] + ids))
                        consumed += ids.count
                    }
                    await connection.close()
                    return consumed
                }
            }
            return try await tasks.reduce(0, +)
        }
        return Double(total) / Date().timeIntervalSince(start)
    }
}

/// What decoding costs a worker per event without any I/O: the envelope from the stored
/// fields, the data against its schema, upcasting (what a `Delivery` does when its event is first asked for).
enum DecodeBaseline {
    /// - Returns: microseconds per event, over `rounds` passes of up to 10,000 entries of partition 0.
    static func microsecondsPerEvent(log: EventLog, redis: RedisPool, rounds: Int = 20) async throws -> Double {
        let stream = log.configuration.streamKey(partition: 0)
        let reply = try await redis.send(RedisCommand("XRANGE", stream, "-", "+", "COUNT", "10000").replying(as: .streamEntries))
        let entries = reply.entries ?? []
        guard !entries.isEmpty else { return 0 }
        let started = ContinuousClock.now
        var valid = 0
        for _ in 0..<rounds {
            for entry in entries {
                let position = StreamID(entry.id).map { Position(partition: 0, streamID: $0) }
                guard let envelope = try? EventEnvelope(fields: entry.fields, position: position),
                      (try? log.registry.validate(type: envelope.type, version: envelope.dataVersion, data: envelope.data)) != nil,
                      (try? log.registry.upcast(envelope)) != nil else { continue }
                valid += 1
            }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = elapsed.inSeconds
        return valid == 0 ? 0 : seconds * 1e6 / Double(valid)
    }
}

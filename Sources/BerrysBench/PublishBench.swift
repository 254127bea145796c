import BerrysPlatform
import CommandSupport
import ArgumentParser
import BerrysJSON
import EventLog
import Foundation
import BerrysDomain
import RedisClient

struct PublishBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Single-event and pipelined publish, through berrys_append and berrys_append_batch, next to redis-benchmark XADD; atomic sets and the decide helper.",
        discussion: "Runs in a throw-away namespace on BERRYS_REDIS_URL and deletes it afterwards.")

    @Option(help: "Events for the pipelined run.") var events: Int = 100_000
    @Option(help: "Events for the single-event latency run.") var single: Int = 5_000
    @Option(help: "FCALLs in flight per round trip.") var pipeline: Int = 1000
    @Option(help: "Concurrent publishers (connections) in the pipelined run.") var publishers: Int = 2
    @Option(help: "Events per path of the atomic-sets part (sets of 2, 5, 20 on one subject and on one partition key).") var setEvents: Int = 20_000
    @Flag(help: "Run only the atomic sets and the decide helper.") var setsOnly = false

    func run() async throws {
        try await reportingFailures {
            let context = try Context(domain: .berrys)
            let sets = AtomicSetsBench(context: context, events: setEvents, publishers: publishers)
            if setsOnly {
                print(try await sets.report())
                return
            }
            var settings = context.settings.log
            settings.namespace = "bench-\(UUID().uuidString.prefix(8).lowercased())"
            let log = try await EventLog.open(redis: context.redis, configuration: settings, registry: context.registry,
                                              conventions: BerrysConventions(), defaultSource: "berrys-bench")
            let singleResult: (rate: Double, p50: Double, p99: Double), prepareRate: Double
            let each: PathFigures, function: PathFigures, batch: PathFigures, raw: Double, xaddMicroseconds: Double
            do {
                prepareRate = try measurePrepare(log)
                singleResult = try await measureSingle(log)
                each = try await measurePath(["fcall"], context, namespace: settings.namespace + "-each") { log, redis, chunk in
                    try await Self.appendEach(chunk, log: log, redis: redis)
                }
                function = try await measurePath(["fcall"], context, namespace: settings.namespace + "-function") { log, redis, chunk in
                    try await Self.appendThroughBatchFunction(chunk, log: log, redis: redis)
                }
                let pipeline = pipeline
                batch = try await measurePath(Self.transactionCommands, context, namespace: settings.namespace + "-batch") { log, _, chunk in
                    try await log.appendBatch(chunk, chunkSize: pipeline)
                }
                (raw, xaddMicroseconds) = try await RedisServerStats.microsecondsPerEvent("xadd", events: events, redis: context.redis) {
                    try RedisBenchmark.xadd(configuration: context.redis.configuration, fields: each.fields,
                                            key: "\(settings.namespace):raw", requests: events, pipeline: pipeline)
                }
                try await BenchKeys.delete(prefix: settings.namespace, redis: context.redis)
            } catch {
                try? await BenchKeys.delete(prefix: settings.namespace, redis: context.redis)
                throw error
            }
            let (eachRate, functionRate, batchRate, payload) = (each.rate, function.rate, batch.rate, each.fields)
            let (eachMicroseconds, functionMicroseconds, batchMicroseconds) = (each.commandMicroseconds, function.commandMicroseconds, batch.commandMicroseconds)
            let cpu = [each.cpuMicroseconds, function.cpuMicroseconds, batch.cpuMicroseconds]
            let dedupBytes = batch.dedupBytes
            print("""
            publish benchmark (\(events) events, pipeline \(pipeline), entry of \(payload.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count }) bytes, \(publishers) publishers)
              single-event publish:     \(Int(singleResult.rate)) events/s, p50 \(format(singleResult.p50)) ms, p99 \(format(singleResult.p99)) ms
              pipelined berrys_append:  \(Int(eachRate)) events/s (one FCALL per event)
              berrys_append_batch:      \(Int(functionRate)) events/s = \(ratio(functionRate, eachRate)) × berrys_append (\(Self.eventsPerFunctionCall) events a call)
              pipelined batch publish:  \(Int(batchRate)) events/s = \(ratio(batchRate, eachRate)) × berrys_append (EventLog.appendBatch: a transaction per partition and round trip; validated, de-duplicated, sequenced)
              client-side validation:   \(Int(prepareRate)) events/s (envelope + schema, no I/O)
              redis-benchmark XADD -P:  \(Int(raw)) requests/s (same fields, same pipeline depth)
              ratio batch / raw:        \(ratio(batchRate, raw)) (berrys_append_batch: \(ratio(functionRate, raw)), berrys_append: \(ratio(eachRate, raw)))
              Redis CPU per event:      batch publish \(format(batchMicroseconds)) µs, berrys_append_batch \(format(functionMicroseconds)) µs, berrys_append \(format(eachMicroseconds)) µs, bare XADD \(format(xaddMicroseconds)) µs (INFO commandstats)
              Redis CPU, all of it:     batch publish \(format(cpu[2])) µs, berrys_append_batch \(format(cpu[1])) µs, berrys_append \(format(cpu[0])) µs per event (INFO cpu: with reading, parsing, replying)
              de-dup memory:            \(Int(dedupBytes)) bytes per remembered id (MEMORY USAGE) ≈ \(Int(dedupBytes)) MB per million events in the window
            """)
            print(try await sets.report())
        }
    }

    /// What one pipelined path measured.
    struct PathFigures {
        var rate: Double
        var fields: [(String, String)]
        /// Redis time in the path's commands per event (`INFO commandstats`).
        var commandMicroseconds: Double
        /// All Redis CPU per event (`INFO cpu`).
        var cpuMicroseconds: Double
        /// `MEMORY USAGE` per de-dup record.
        var dedupBytes: Double
    }

    /// One pipelined path on a log of its own (a fresh namespace, deleted afterwards), so that
    /// every path starts from the same Redis state: measured last in one shared namespace,
    /// after 200,000 events of the other paths, batch publish cost 11.5 µs of Redis CPU per
    /// event (commandstats) against 5.4–5.7 µs on a fresh one, same build, same hour.
    private func measurePath(
        _ commands: [String], _ context: Context, namespace: String,
        append: @escaping @Sendable (EventLog, RedisPool, [EventEnvelope]) async throws -> [Result<AppendResult, EventLogError>]
    ) async throws -> PathFigures {
        var settings = context.settings.log
        settings.namespace = namespace
        let redis = context.redis
        let log = try await EventLog.open(redis: redis, configuration: settings, registry: context.registry,
                                          conventions: BerrysConventions(), defaultSource: "berrys-bench")
        do {
            var cpu = 0.0
            let ((rate, fields), perEvent) = try await RedisServerStats.microsecondsPerEvent(commands, events: events, redis: redis) {
                let (measured, perEventCPU) = try await RedisServerStats.cpuMicrosecondsPerEvent(events: events, redis: redis) {
                    try await measurePipelined(log) { chunk in try await append(log, redis, chunk) }
                }
                cpu = perEventCPU
                return measured
            }
            let dedup = try await RedisServerStats.averageKeyBytes(pattern: "\(namespace):dedup:*", sample: 2000, redis: redis)
            try await BenchKeys.delete(prefix: namespace, redis: redis)
            return PathFigures(rate: rate, fields: fields, commandMicroseconds: perEvent, cpuMicroseconds: cpu, dedupBytes: dedup)
        } catch {
            try? await BenchKeys.delete(prefix: namespace, redis: redis)
            throw error
        }
    }

    private func ratio(_ value: Double, _ base: Double) -> String { String(format: "%.2f", base > 0 ? value / base : 0) }

    /// Appends each event with its own `FCALL berrys_append`, pipelined: the path any client
    /// has without the batch function, measured beside it.
    private static func appendEach(_ envelopes: [EventEnvelope], log: EventLog, redis: RedisPool) async throws
        -> [Result<AppendResult, EventLogError>] {
        let partitions = envelopes.map { log.partitioner.partition(for: $0.effectivePartitionKey) }
        let commands = zip(envelopes, partitions).map { envelope, partition in
            RedisCommand(["FCALL", "berrys_append", "1", log.configuration.streamKey(partition: partition), "any"]
                         + envelope.fields.flatMap { [$0.0, $0.1] })
        }
        let replies = try await redis.pipeline(commands)
        return zip(zip(envelopes, partitions), replies).map { event, reply in
            Result { try EventLog.result(of: reply, id: event.0.id, partition: event.1) }.mapError(Self.benchmarkError)
        }
    }

    private func measureSingle(_ log: EventLog) async throws -> (rate: Double, p50: Double, p99: Double) {
        var latencies: [Double] = []
        latencies.reserveCapacity(single)
        let started = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<single {
            let begin = DispatchTime.now().uptimeNanoseconds
            _ = try await log.append(Self.draft())
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let summary = LatencySummary(latencies)
        return (Double(single) / seconds, summary.p50, summary.p99)
    }

    private func measurePrepare(_ log: EventLog) throws -> Double {
        let drafts = (0..<min(events, 50_000)).map { _ in Self.draft() }
        let started = DispatchTime.now().uptimeNanoseconds
        for draft in drafts { _ = try log.prepare(draft) }
        return Double(drafts.count) / (Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    /// A refused benchmark event as an `EventLogError`, whatever was thrown.
    private static func benchmarkError(_ error: any Error) -> EventLogError {
        error as? EventLogError ?? EventLogError(.invalidEnvelope, "a benchmark event was refused: \(error)")
    }

    /// Events in one `berrys_append_batch` call here.
    static let eventsPerFunctionCall = 100

    /// The commands of `EventLog.appendBatch`'s transactions, whose Redis time is counted.
    static let transactionCommands = ["watch", "hmget", "mget", "xinfo", "time", "unwatch", "multi", "exec"]

    /// Appends through `FCALL berrys_append_batch`, `eventsPerFunctionCall` events of a partition
    /// a call, the calls pipelined: the batch function as any client would call it.
    private static func appendThroughBatchFunction(_ envelopes: [EventEnvelope], log: EventLog, redis: RedisPool) async throws
        -> [Result<AppendResult, EventLogError>] {
        var byPartition: [Int: [EventEnvelope]] = [:]
        for envelope in envelopes { byPartition[log.partitioner.partition(for: envelope.effectivePartitionKey), default: []].append(envelope) }
        var calls: [(partition: Int, events: ArraySlice<EventEnvelope>)] = []
        for (partition, events) in byPartition {
            for start in stride(from: 0, to: events.count, by: eventsPerFunctionCall) {
                calls.append((partition, events[start..<min(start + eventsPerFunctionCall, events.count)]))
            }
        }
        let commands = calls.map { call in
            RedisCommand(["FCALL", "berrys_append_batch", "1", log.configuration.streamKey(partition: call.partition)]
                         + call.events.flatMap { envelope in ["any", String(envelope.fields.count)] + envelope.fields.flatMap { [$0.0, $0.1] } })
        }
        var results: [Result<AppendResult, EventLogError>] = []
        for (call, reply) in zip(calls, try await redis.pipeline(commands)) {
            let elements = reply.array ?? []
            for (offset, envelope) in call.events.enumerated() {
                let element = offset < elements.count ? elements[offset] : .error("no reply for event \(offset) of the call")
                results.append(Result { try EventLog.result(of: element, id: envelope.id, partition: call.partition) }.mapError(Self.benchmarkError))
            }
        }
        return results
    }

    /// Events/s of `append` over fresh events, `publishers` of them side by side, `pipeline`
    /// events a round trip; also returns one entry's fields (for the raw XADD).
    private func measurePipelined(
        _ log: EventLog, append: @escaping @Sendable ([EventEnvelope]) async throws -> [Result<AppendResult, EventLogError>]
    ) async throws -> (rate: Double, fields: [(String, String)]) {
        let perPublisher = try (0..<publishers).map { _ in try (0..<(events / publishers)).map { _ in try log.prepare(Self.draft()) } }
        let sample = try log.prepare(Self.draft()).fields
        return (try await PipelinedPublish.rate(perPublisher, pipeline: pipeline, append: append), sample)
    }

    static func draft() -> EventDraft {
        let agent = UUID().uuidString.lowercased()
        let data: JSON = .object([
            "agent_id": .string(agent), "name": .string("Bench agent"), "agent_type": .string("ASSISTANT"),
            "specializations": .array([.string("benchmarking")]), "configuration": .object(["temperature": .number(0.2)]),
        ])
        return EventDraft(type: "agent.created", data: data)
    }

    private func format(_ milliseconds: Double) -> String { String(format: "%.3f", milliseconds) }
}

/// Runs `redis-benchmark` for the raw XADD ceiling.
enum RedisBenchmark {
    static func xadd(configuration: RedisConfiguration, fields: [(String, String)], key: String,
                     requests: Int, pipeline: Int) throws -> Double {
        var arguments = ["redis-benchmark", "-h", configuration.host, "-p", String(configuration.port), "-n", String(requests),
                         "-P", String(pipeline), "-c", "1", "--csv"]
        if let password = configuration.password { arguments += ["-a", password] }
        arguments += ["XADD", key, "*"] + fields.flatMap { [$0.0, $0.1] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // CSV: "test","rps",avg,min,p50,p95,p99,max; the test column holds the command (with commas),
        // so the rate is read as the seventh column from the end.
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let columns = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            if columns.count >= 8, let rate = Double(columns[columns.count - 7]) { return rate }
        }
        throw EventLogError(.unavailable, "redis-benchmark printed no result (is redis-tools installed?): \(text)")
    }
}

/// Deletes every key under a namespace.
enum BenchKeys {
    static func delete(prefix: String, redis: RedisPool) async throws {
        // One UNLINK per key, pipelined: on a cluster the keys lie in many slots.
        let keys = try await redis.scanKeys(matching: "\(prefix):*")
        for start in stride(from: 0, to: keys.count, by: 1000) {
            _ = try await redis.pipeline(keys[start..<min(start + 1000, keys.count)].map { RedisCommand("UNLINK", $0) })
        }
    }
}

import BerrysPlatform
import ArgumentParser
import AsyncHTTPClient
import BerrysDomain
import CommandSupport
import Connectors
import EventLog
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Workers

struct ConnectorsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connectors",
        abstract: "Webhook deliveries/s to a local receiver next to the no-op worker in the same run, publish → delivered latency, and scheduled events fired vs their time.",
        discussion: """
        The receiver (in this process, Hummingbird) answers 204 at once, so the figure is the \
        connector's own cost: HTTP client, signing, the worker runtime. Scheduled events are held \
        with due times spread over --schedule-spread seconds starting 3 s after they are all held, \
        then fired by one firer (as in berrys run); lateness is the append time minus the due time. \
        Everything runs in throw-away namespaces, deleted afterwards.
        """)

    @Option(help: "Events in the delivery backlog.") var events: Int = 50_000
    @Option(help: "The connector's max_in_flight.") var maxInFlight: Int = 64
    @Option(help: "Events published one by one for the latency run.") var latencyEvents: Int = 2_000
    @Option(help: "Events scheduled for the firing run.") var scheduled: Int = 100_000
    @Option(help: "Seconds the scheduled events' due times spread over.") var scheduleSpread: Double = 10

    func run() async throws {
        try await reportingFailures {
            let context = try Context(domain: .berrys, redisPoolSize: 32)
            let lines = try await BenchLogs.with(context) { logs in
                var lines: [String] = []
                try await measureDeliveries(context: context, logs: logs, lines: &lines)
                try await measureScheduling(log: try await logs.fresh(), lines: &lines)
                return lines
            }
            print("connectors benchmark (\(context.settings.log.partitions) partitions, \(events) events, max_in_flight \(maxInFlight))")
            for line in lines { print("  " + line) }
        }
    }

    private func measureDeliveries(context: Context, logs: BenchLogs, lines: inout [String]) async throws {
        let settings = WorkerSettings(concurrency: ProcessInfo.processInfo.activeProcessorCount, batchSize: 500, block: .milliseconds(100),
                                      lease: .seconds(5))
        let backlog = try await logs.fresh()
        try await BenchBacklog.publish(WorkersBench.statusChanges(events), to: backlog)
        let meter = HandledMeter()
        let noOp = NoOpWorker(name: "bench-noop", handledTypes: ["project.status_changed"], meter: meter)
        let noOpRate = try await BenchRuntimes.drain(count: events, progress: { meter.count }) {
            BenchRuntimes.start([noOp], count: 1, log: backlog, redis: context.redis, postgres: nil, settings: settings)
        }
        let receiver = BenchReceiver()
        try await receiver.serve { url in
            let connectors = try Self.connectors(url: url, maxInFlight: maxInFlight, context: context, namespace: backlog.configuration.namespace)
            let rate = try await BenchRuntimes.drain(count: events, progress: { receiver.count }) {
                BenchRuntimes.start(connectors.workers, count: 1, log: backlog, redis: context.redis, postgres: nil, settings: settings)
            }
            try await connectors.shutdown()
            let raw = try await Self.rawPosts(url: url, count: min(events, 20_000), concurrency: maxInFlight)
            lines.append("raw HTTP POSTs:               \(Int(raw)) requests/s (async-http-client, \(maxInFlight) at once, to the same receiver: "
                         + "the ceiling of HTTP on this machine)")
            lines.append("no-op worker:                 \(Int(noOpRate)) events/s (the same backlog, the same runtime)")
            lines.append("webhook connector:            \(Int(rate)) deliveries/s = \(String(format: "%.2f", rate / raw)) × raw HTTP, "
                         + "\(String(format: "%.2f", rate / noOpRate)) × the no-op worker (signed POSTs, max_in_flight \(maxInFlight))")

            let latencyLog = try await logs.fresh()
            let idle = try Self.connectors(url: url, maxInFlight: maxInFlight, context: context, namespace: latencyLog.configuration.namespace)
            let runtimes = BenchRuntimes.start(idle.workers, count: 1, log: latencyLog, redis: context.redis, postgres: nil, settings: settings)
            try await Task.sleep(for: .seconds(1))
            var published: [(id: String, at: Double)] = []
            for draft in WorkersBench.statusChanges(latencyEvents) {
                let result = try await latencyLog.append(draft)
                published.append((result.id, Double(result.position.streamID.milliseconds)))
            }
            let deadline = Date().addingTimeInterval(60)
            while published.contains(where: { receiver.arrival(of: $0.id) == nil }) && Date() < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await runtimes.stop()
            try await idle.shutdown()
            let latencies = published.compactMap { event in receiver.arrival(of: event.id).map { $0 - event.at } }
            lines.append("publish → delivered:          \(LatencySummary(latencies).text)")
        }
    }

    private func measureScheduling(log: EventLog, lines: inout [String]) async throws {
        let keys = (0..<1000).map { _ in UUID().uuidString.lowercased() }
        let start = Date().addingTimeInterval(3 + Double(scheduled) / 20_000)
        let began = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            let lanes = 16
            for lane in 0..<lanes {
                group.addTask { [scheduled, scheduleSpread] in
                    for index in stride(from: lane, to: scheduled, by: lanes) {
                        let due = start.addingTimeInterval(scheduleSpread * Double(index) / Double(scheduled))
                        let draft = EventDraft(type: "project.status_changed", data: .object([
                            "project_id": .string(keys[index % keys.count]), "previous_status": .string("DRAFT"), "new_status": .string("PLANNING"),
                        ]), deliverAt: due)
                        _ = try await log.append(draft)
                    }
                }
            }
            try await group.waitForAll()
        }
        let holdRate = Double(scheduled) / Date().timeIntervalSince(began)
        var logger = Logger(label: "berrys.bench")
        logger.logLevel = .warning
        let deadline = start.addingTimeInterval(scheduleSpread + 60)
        try await withBenchServices([ScheduledEventFirer(log: log, logger: logger)]) {
            while try await log.scheduledEvents(limit: 1).isEmpty == false && Date() < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        var lateness: [Double] = []
        for partition in 0..<log.partitioner.partitions {
            var after = StreamID.zero
            while true {
                let page = try await log.read(partition: partition, after: after, count: 5000)
                for event in page {
                    guard let due = Timestamp.parse(event.time), let appended = event.position?.streamID.milliseconds else { continue }
                    lateness.append(Double(appended) - due.timeIntervalSince1970 * 1000)
                }
                guard let last = page.last?.position?.streamID, page.count == 5000 else { break }
                after = last
            }
        }
        lines.append("held:                         \(scheduled) events at \(Int(holdRate))/s (16 publishers, one round trip each)")
        lines.append("fired vs due time:            \(LatencySummary(lateness).text); \(lateness.count) of \(scheduled) appended")
    }

    /// POSTs of a small CloudEvents body, `concurrency` at once, with nothing else around them. - Returns: requests/s.
    private static func rawPosts(url: String, count: Int, concurrency: Int) async throws -> Double {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let body = ByteBuffer(string: #"{"project_id":"3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f","previous_status":"DRAFT","new_status":"PLANNING"}"#)
        let began = Date()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<concurrency {
                    group.addTask {
                        for index in stride(from: lane, to: count, by: concurrency) {
                            var request = HTTPClientRequest(url: url)
                            request.method = .POST
                            request.headers.add(name: "Content-Type", value: "application/json")
                            request.headers.add(name: "ce-id", value: "raw-\(index)")
                            request.body = .bytes(body)
                            let response = try await client.execute(request, timeout: .seconds(10))
                            for try await _ in response.body {}
                        }
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return Double(count) / Date().timeIntervalSince(began)
    }

    private static func connectors(url: String, maxInFlight: Int, context: Context, namespace: String) throws -> ConnectorSet {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("berrys-bench-connectors-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "url: \(url)\ntypes: [project.status_changed]\nsecret_env: BENCH_SECRET\nmax_in_flight: \(maxInFlight)\n"
            .write(to: folder.appendingPathComponent("bench.yaml"), atomically: true, encoding: .utf8)
        let knownTypes = Set(context.registry.types)
        let definitions = try ConnectorFolder.loadAll(from: folder, knownTypes: knownTypes, environment: ["BENCH_SECRET": "bench-secret"])
        var logger = Logger(label: "berrys.bench")
        logger.logLevel = .warning
        return ConnectorSet(definitions: definitions, knownTypes: knownTypes, redis: context.redis, namespace: namespace,
                            consumer: "bench-\(UUID().uuidString.prefix(6))", clock: .system, logger: logger)
    }
}

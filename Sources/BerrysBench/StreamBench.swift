import BerrysPlatform
import BerrysFoundation
import ArgumentParser
import BerrysDomain
import CommandSupport
import EventLog
import Foundation
import RedisClient

struct StreamBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "GET /v1/stream: many subscribers of `berrys serve` while events are published at a steady rate.",
        discussion: """
        Starts `berrys serve` (the release build next to this program) on a throw-away namespace and database, \
        opens --subscribers connections each following one subject (an event reaches one of them) and --firehose \
        connections following everything, all on one epoll thread of this process, then publishes --rate events/s \
        for --seconds over as many subjects as subscribers. Prints the delivered rate next to the publish rate, the \
        latency from publish to arrival (p50, p99, max; event times have millisecond resolution) next to that of \
        a raw XREAD BLOCK follower in the same run (the limit), the server's CPU per delivered event, and its \
        memory per idle subscriber. Deletes everything afterwards.
        """)

    @Option(help: "Subscribers that each follow one subject.") var subscribers: Int = 1000
    @Option(help: "Subscribers that follow every event.") var firehose: Int = 10
    @Option(help: "Events published per second.") var rate: Int = 5000
    @Option(help: "Seconds of publishing measured.") var seconds: Int = 20
    @Option(help: "The API's port for the run.") var port: Int = 18_481

    func validate() throws {
        guard subscribers >= 1, firehose >= 0, rate >= 100, seconds >= 1 else {
            throw ValidationError("--subscribers ≥ 1, --firehose ≥ 0, --rate ≥ 100, --seconds ≥ 1")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let context = try Context(domain: .berrys, redisPoolSize: 8)
            var logSettings = context.settings.log
            logSettings.namespace = "bench-\(UUID().uuidString.prefix(8).lowercased())"
            let log = try await EventLog.open(redis: context.redis, configuration: logSettings, registry: context.registry,
                                              conventions: BerrysConventions(), defaultSource: "berrys-bench")
            let databases = BenchDatabases(adminURL: context.settings.databaseURL)
            let report = try await databases.cleaningUp(namespace: logSettings.namespace, redis: context.redis) {
                let (_, url) = try await databases.makeWithURL()
                return try await measure(context: context, log: log, databaseURL: url)
            }
            print("stream benchmark (\(subscribers) subscribers of one subject each, \(firehose) of everything, \(rate) events/s for \(seconds) s)")
            for line in report.lines { print("  " + line) }
            // A subscriber that missed an event fails the run (scripts trust the exit code).
            guard report.complete else {
                printError("berrys-bench: not every event reached every subscriber it passes")
                throw ExitCode(1)
            }
        }
    }

    private func measure(context: Context, log: EventLog, databaseURL: String) async throws -> (lines: [String], complete: Bool) {
        let server = try StreamBenchServer.start(port: port, namespace: log.configuration.namespace, redisURL: context.settings.redisURL,
                                                 databaseURL: databaseURL)
        defer { server.stop() }
        try await server.waitUntilServing(port: port)
        let idle = server.residentKilobytes()
        let subjects = (0..<subscribers).map { _ in UUID().uuidString.lowercased() }
        var paths = subjects.map { (path: "/v1/stream?subject=\($0)", group: 0) }
        paths += Array(repeating: (path: "/v1/stream", group: 1), count: firehose)
        let load = try SSELoad(port: port, paths: paths, groups: 2)
        load.start()
        defer { load.stop() }
        // Every subscriber registered: the hub counts them (berrys_stream_subscribers).
        try await server.waitForSubscribers(paths.count, port: port)
        let connected = server.residentKilobytes()
        let follower = RawFollower(log: log)
        let following = Task { try await follower.run() }
        try await Task.sleep(for: .milliseconds(500))
        load.beginMeasuring()
        follower.beginMeasuring()
        let cpuBefore = server.cpuSeconds()
        let published = try await publish(log: log, subjects: subjects)
        // Let the last events arrive.
        try await Task.sleep(for: .seconds(2))
        let cpu = server.cpuSeconds() - cpuBefore
        following.cancel()
        _ = await following.result
        let delivered = load.eventsPerGroup(2)
        let raw = follower.latencies()
        let perSubscriber = Double(connected - idle) / Double(paths.count)
        let totalDelivered = delivered.reduce(0, +)
        var lines = [
            "published \(published.count) events at \(Int(published.rate)) events/s",
            "delivered to subject subscribers: \(delivered[0]) (\(String(format: "%.3f", Double(delivered[0]) / Double(max(1, published.count)))) of published), "
                + "\(Int(Double(delivered[0]) / published.seconds)) events/s",
        ]
        if firehose > 0 {
            lines.append("delivered to firehose subscribers: \(delivered[1]) (\(String(format: "%.3f", Double(delivered[1]) / Double(max(1, published.count * firehose)))) of "
                         + "\(firehose) × published), \(Int(Double(delivered[1]) / published.seconds)) events/s")
        }
        lines.append("publish → received, subject subscribers: \(LatencySummary(load.latencies[0]).text)")
        if firehose > 0 { lines.append("publish → received, firehose subscribers: \(LatencySummary(load.latencies[1]).text)") }
        lines.append("publish → read by a raw XREAD BLOCK follower (the limit): \(LatencySummary(raw).text)")
        let ratio = LatencySummary(load.latencies[0]).p99 / max(0.001, LatencySummary(raw).p99)
        lines.append("p99 against the raw follower's: \(String(format: "%.1f", ratio))×")
        lines.append("server CPU: \(String(format: "%.1f", cpu * 1e6 / Double(max(1, totalDelivered)))) µs per delivered event "
                     + "(\(String(format: "%.2f", cpu / published.seconds)) cores)")
        lines.append("server memory: \(idle / 1024) MiB idle, \(connected / 1024) MiB with \(paths.count) subscribers: "
                     + "\(String(format: "%.1f", perSubscriber)) KiB per idle subscriber")
        return (lines, delivered[0] == published.count && delivered[1] == published.count * firehose)
    }

    /// Publishes `rate` events a second for `seconds`, in batches every 10 ms, spread over the subjects.
    private func publish(log: EventLog, subjects: [String]) async throws -> (count: Int, rate: Double, seconds: Double) {
        let perTick = max(1, rate / 100)
        let started = ContinuousClock.now
        var count = 0
        var tick = 0
        while ContinuousClock.now - started < .seconds(seconds) {
            tick += 1
            let drafts = try (0..<perTick).map { index -> EventEnvelope in
                let subject = subjects[(count + index) % subjects.count]
                return try log.prepare(EventDraft(type: "tool.registered", data: .object([
                    "tool_id": .string(subject), "name": .string("bench"), "category": .string("bench"), "version": .string("1.0.0")])))
            }
            for result in try await log.appendBatch(drafts) { _ = try result.get() }
            count += perTick
            let next = started + .milliseconds(10 * tick)
            if next > ContinuousClock.now { try await Task.sleep(until: next) }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = elapsed.inSeconds
        return (count, Double(count) / seconds, seconds)
    }
}

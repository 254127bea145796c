import BerrysDomain
import BerrysFoundation
import BerrysJSON
import EventLog
import Foundation
import Logging
import PostgresClient
import RedisClient
import ServiceLifecycle
import Workers

/// A log in its own namespace, a Redis pool, and runtimes started and stopped like a process would.
public struct RuntimeHarness: Sendable {
    public let log: EventLog
    public let redis: RedisPool

    /// Short timeouts, small batches: what the tests run with. Leases of 10 s: the whole test
    /// process stalls for seconds at times under the full suite on 2 cores, and shorter leases
    /// then expired and handed partitions over (handling events again, as designed).
    public static let fastSettings = WorkerSettings(
        concurrency: 4, batchSize: 50, block: .milliseconds(100), visibilityTimeout: .seconds(2), lease: .seconds(10),
        policy: DeliveryPolicy(maxDeliveries: 3, backoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(50))), shutdownGrace: .seconds(2))

    /// A log of `partitions` partitions in a namespace of its own, on `clock`.
    public init(partitions: Int = 4, redisSeeds: [RedisConfiguration] = [TestServers.redisConfiguration],
                clock: BerrysClock = .system) async throws {
        let configuration = EventLogConfiguration(namespace: TestServers.uniqueNamespace("wrk"), partitions: partitions,
                                                  unavailableRetry: .seconds(20))
        redis = RedisPool(seeds: redisSeeds, size: 8)
        log = try await EventLog.open(redis: redis, configuration: configuration, registry: TestLog.registry,
                                      conventions: BerrysConventions(), clock: clock)
    }

    public var namespace: String { log.configuration.namespace }

    /// Publishes `count` status changes of one project (its key), in order.
    @discardableResult
    public func publish(key: String = UUID().uuidString.lowercased(), count: Int) async throws -> [AppendResult] {
        var results: [AppendResult] = []
        for _ in 0..<count {
            let data: JSON = .object(["project_id": .string(key), "previous_status": .string("DRAFT"), "new_status": .string("PLANNING")])
            results.append(try await log.append(EventDraft(type: "project.status_changed", data: data)))
        }
        return results
    }

    /// Starts a runtime as one process would run it.
    public func start(_ workers: [any Worker], consumer: String = WorkerRuntime.defaultConsumerName(),
               settings: WorkerSettings = RuntimeHarness.fastSettings, postgres: PostgresPool? = nil) -> RunningServices {
        var logger = Logger(label: "test.workers")
        logger.logLevel = .warning
        let runtime = WorkerRuntime(workers: workers, log: log, redis: redis, postgres: postgres, settings: settings,
                                    consumer: consumer, logger: logger)
        return RunningServices.start([runtime], logger: logger)
    }

    /// Runs `body` while a runtime runs (as `start` starts it), and stops the runtime after it,
    /// also when `body` throws.
    public func withRuntime<T>(_ workers: [any Worker], consumer: String = WorkerRuntime.defaultConsumerName(),
                        settings: WorkerSettings = RuntimeHarness.fastSettings, postgres: PostgresPool? = nil,
                        _ body: () async throws -> T) async throws -> T {
        let running = start(workers, consumer: consumer, settings: settings, postgres: postgres)
        do {
            let result = try await body()
            try await running.stop()
            return result
        } catch {
            try? await running.stop()
            throw error
        }
    }

    /// Whether `workers` have handled everything in the log: on every partition, nothing new
    /// for their groups and nothing pending. A check of progress, not of time: what a test
    /// waited out with a sleep "for anything to misbehave" it can wait for exactly.
    public func caughtUp(_ workers: [String]) async throws -> Bool {
        let reader = WorkerStatusReader(redis: redis, namespace: namespace, partitions: log.partitioner.partitions)
        for worker in workers {
            for partition in 0..<log.partitioner.partitions {
                guard let status = try await reader.groupStatus(worker: worker, partition: partition) else { return false }
                if status.pending > 0 || (status.lagEntries ?? 1) > 0 { return false }
            }
        }
        return true
    }

    /// What has moved so far: every partition's length and, for each of `workers`, its group's
    /// undelivered, pending and dead-lettered counts. Equal marks: nothing was appended, read or acknowledged in
    /// between (for `eventually(_:progress:_:)`).
    public func progressMark(_ workers: [String]) async throws -> [String] {
        let reader = WorkerStatusReader(redis: redis, namespace: namespace, partitions: log.partitioner.partitions)
        var mark: [String] = []
        for partition in 0..<log.partitioner.partitions {
            mark.append(String(try await redis.send("XLEN", log.configuration.streamKey(partition: partition)).int ?? 0))
            for worker in workers {
                let status = try await reader.groupStatus(worker: worker, partition: partition)
                mark.append("\(status?.lagEntries ?? -1) \(status?.pending ?? -1) \(status?.deadLetters ?? -1)")
            }
        }
        return mark
    }

    /// The dead letters of the log, of one worker or all.
    public func deadLetters(worker: String? = nil) async throws -> [DeadLetter] {
        try await DeadLetterStore(redis: redis, namespace: namespace).list(worker: worker)
    }

    /// Every event of a type in the log, across partitions.
    public func events(ofType type: String) async throws -> [EventEnvelope] {
        var all: [EventEnvelope] = []
        for partition in 0..<log.partitioner.partitions {
            var after = StreamID.zero
            while true {
                let page = try await log.read(partition: partition, after: after, count: 1000)
                all += page.filter { $0.type == type }
                guard let last = page.last?.position?.streamID, page.count == 1000 else { break }
                after = last
            }
        }
        return all
    }
}

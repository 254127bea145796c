import BerrysDomain
import BerrysJSON
import BerrysFoundation
import EventLog
import Foundation
import Logging
import PostgresClient
import RedisClient
import ServiceLifecycle
import TestSupport
import Testing
@testable import Workers

/// What a test worker saw and what it is told to do.
actor Recorder {
    struct Handled: Sendable {
        let eventID: String
        let key: String
        let sequence: Int
        let attempt: Int
    }

    private(set) var handled: [Handled] = []
    /// Event ids whose handling fails permanently.
    var poisoned: Set<String> = []
    /// Event id → how many more times it fails transiently.
    var transientFailures: [String: Int] = [:]

    func poison(_ ids: Set<String>) { poisoned = ids }
    func failTransiently(_ id: String, times: Int) { transientFailures[id] = times }

    /// How many times the handler was called per event id.
    private(set) var calls: [String: Int] = [:]

    func decide(_ event: EventEnvelope, attempt: Int) throws {
        calls[event.id, default: 0] += 1
        if poisoned.contains(event.id) { throw WorkerError.permanent("poisoned \(event.id)") }
        if let left = transientFailures[event.id], left > 0 {
            transientFailures[event.id] = left - 1
            throw WorkerError.transient("dependency down for \(event.id)")
        }
        handled.append(Handled(eventID: event.id, key: event.effectivePartitionKey, sequence: event.sequence ?? 0, attempt: attempt))
    }

    /// Handled event ids per key, in handling order.
    func sequencesByKey() -> [String: [Int]] {
        Dictionary(grouping: handled, by: \.key).mapValues { $0.map(\.sequence) }
    }
}

/// Handles `project.status_changed`; emits one `tool.registered` per event.
struct RecordingWorker: Worker {
    let name: String
    let recorder: Recorder
    let handledTypes: Set<String> = ["project.status_changed"]

    func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft] {
        try await recorder.decide(event, attempt: context.attempt)
        let tool = DeterministicID.uuid("tool/\(event.id)")
        return [EventDraft(type: "tool.registered", data: .object(["tool_id": .string(tool), "name": .string("t"),
                                                                   "category": .string("test"), "version": .string("1.0.0")]))]
    }
}

/// A log in its own namespace, a Redis pool, and runtimes started and stopped like a process would.
struct RuntimeHarness {
    let log: EventLog
    let redis: RedisPool

    static let fastSettings = WorkerSettings(
        concurrency: 4, batchSize: 50, blockMilliseconds: 100, visibilityTimeout: 2, leaseSeconds: 5,
        policy: DeliveryPolicy(maxDeliveries: 3, backoff: Backoff(initial: 0.01, maximum: 0.05)), shutdownGrace: 2)

    init(partitions: Int = 4, redisConfiguration: RedisConfiguration = TestServers.redisConfiguration) async throws {
        let configuration = EventLogConfiguration(namespace: TestServers.uniqueNamespace("wrk"), partitions: partitions,
                                                  unavailableRetrySeconds: 20)
        redis = RedisPool(configuration: redisConfiguration, size: 8)
        log = try await EventLog.open(redis: redis, configuration: configuration, registry: TestLog.registry,
                                      conventions: BerrysConventions())
    }

    var namespace: String { log.configuration.namespace }

    /// Publishes `count` status changes of one project (its key), in order.
    @discardableResult
    func publish(key: String = UUID().uuidString.lowercased(), count: Int) async throws -> [AppendResult] {
        var results: [AppendResult] = []
        for _ in 0..<count {
            let data: JSON = .object(["project_id": .string(key), "previous_status": .string("DRAFT"), "new_status": .string("PLANNING")])
            results.append(try await log.append(EventDraft(type: "project.status_changed", data: data)))
        }
        return results
    }

    /// Starts a runtime as one process would run it.
    func start(_ workers: [any Worker], consumer: String = WorkerRuntime.defaultConsumerName(),
               settings: WorkerSettings = RuntimeHarness.fastSettings, postgres: PostgresPool? = nil) -> RunningRuntime {
        var logger = Logger(label: "test.workers")
        logger.logLevel = .warning
        let runtime = WorkerRuntime(workers: workers, log: log, redis: redis, postgres: postgres, settings: settings,
                                    consumer: consumer, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [runtime], logger: logger))
        return RunningRuntime(group: group, task: Task { try await group.run() })
    }

    /// Runs `body` while a runtime runs (as `start` starts it), and stops the runtime after it,
    /// also when `body` throws.
    func withRuntime<T>(_ workers: [any Worker], consumer: String = WorkerRuntime.defaultConsumerName(),
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

    func deadLetters(worker: String? = nil) async throws -> [DeadLetter] {
        try await DeadLetterStore(redis: redis, namespace: namespace).list(worker: worker)
    }

    /// Every event of a type in the log, across partitions.
    func events(ofType type: String) async throws -> [EventEnvelope] {
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

/// A runtime running in a task, stopped by a graceful shutdown.
struct RunningRuntime {
    let group: ServiceGroup
    let task: Task<Void, any Error>

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

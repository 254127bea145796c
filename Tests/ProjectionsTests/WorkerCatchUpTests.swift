import BerrysRuntime
import BerrysJSON
import EventLog
import Foundation
import Logging
import PostgresClient
@testable import Projections
import RedisClient
import ServiceLifecycle
import TestSupport
import Testing
import Workers

/// A worker started from the beginning of a log that retention trimmed: its new groups catch up
/// from the archive through the tiered log, then read Redis, on real Redis and PostgreSQL.
@Suite struct WorkerCatchUpTests {
    /// What the test worker handled, in order, and the event it fails.
    actor Handled {
        var events: [(id: String, key: String, sequence: Int)] = []
        var poisoned: String?
        func poison(_ id: String) { poisoned = id }
        func record(_ event: EventEnvelope) throws {
            if event.id == poisoned { throw WorkerError.permanent("poisoned \(event.id)") }
            events.append((event.id, event.effectivePartitionKey, event.sequence ?? 0))
        }
    }

    struct CountingWorker: Worker {
        let name = "catch-up"
        let handledTypes: Set<String> = ["project.status_changed"]
        let handled: Handled
        var delay: Duration = .zero
        func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft] {
            if delay > .zero { try await Task.sleep(for: delay) }  // a slow handler, so a catch-up can be stopped halfway
            try await handled.record(event)
            return []
        }
    }

    /// Project ids, `count` for each of the two partitions (random ones left a partition with
    /// none now and then, and nothing to trim there).
    static func keys(perPartition count: Int) -> [String] {
        let partitioner = Partitioner(partitions: 2)
        var byPartition: [Int: [String]] = [:]
        while byPartition.values.map(\.count).reduce(0, +) < 2 * count {
            let key = UUID().uuidString.lowercased()
            let partition = partitioner.partition(for: key)
            if byPartition[partition, default: []].count < count { byPartition[partition, default: []].append(key) }
        }
        return (byPartition[0] ?? []) + (byPartition[1] ?? [])
    }

    /// A log of `rounds` changes of each key, archived, then trimmed to 10 entries per partition.
    static func trimmedLog(keys: [String], rounds: Int, on deployment: TestServers.RedisDeployment = .single) async throws
        -> (ProjectionHarness, [(key: String, result: AppendResult)]) {
        let harness = try await ProjectionHarness.make(partitions: 2, on: deployment)
        let published = try await publish(harness.log, keys: keys, rounds: rounds)
        try await harness.project([try ProjectionHarness.archive])
        let trimmer = LogTrimmer(log: harness.log, catalog: ProjectionCatalog(pool: harness.pool), policy: .entries(10))
        for report in try await trimmer.round() { #expect(report.removed > 0, "partition \(report.partition) trimmed") }
        return (harness, published)
    }

    /// A runtime of `worker` reading the tiered log, as `berrys worker` runs it.
    static func runtime(_ worker: CountingWorker, harness: ProjectionHarness, redis: RedisPool) -> (ServiceGroup, Task<Void, any Error>) {
        var logger = Logger(label: "test.catch-up")
        logger.logLevel = .warning
        let runtime = WorkerRuntime(workers: [worker], log: harness.log, redis: redis, postgres: harness.pool,
                                    history: TieredSource(log: harness.log, pool: harness.pool), settings: RuntimeHarness.fastSettings,
                                    logger: logger)
        let group = ServiceGroup(configuration: .named([runtime], logger: logger))
        return (group, Task { try await group.run() })
    }

    /// `rounds` status changes of each key, interleaved, plus a type the worker does not handle.
    static func publish(_ log: EventLog, keys: [String], rounds: Int) async throws -> [(key: String, result: AppendResult)] {
        var results: [(key: String, result: AppendResult)] = []
        for _ in 0..<rounds {
            for key in keys {
                let data: JSON = .object(["project_id": .string(key), "previous_status": .string("DRAFT"), "new_status": .string("PLANNING")])
                results.append((key, try await log.append(EventDraft(type: "project.status_changed", data: data))))
            }
            let tool: JSON = .object(["tool_id": .string(UUID().uuidString.lowercased()), "name": .string("t"),
                                      "category": .string("test"), "version": .string("1.0.0")])
            _ = try await log.append(EventDraft(type: "tool.registered", data: tool))
        }
        return results
    }

    @Test(arguments: TestServers.RedisDeployment.allCases)
    func aWorkerStartedFromTheBeginningAfterATrimHandlesEveryEventOnceInKeyOrder(on deployment: TestServers.RedisDeployment) async throws {
        let keys = Self.keys(perPartition: 4)
        var (harness, published) = try await Self.trimmedLog(keys: keys, rounds: 12, on: deployment)

        // The poisoned event is in the archived part; its key's later events wait behind it.
        let handled = Handled()
        let (poisonedKey, poisoned) = published[3 * keys.count + 2]
        await handled.poison(poisoned.id)
        published += try await Self.publish(harness.log, keys: keys, rounds: 3)  // after the trim, before the worker
        let redis = RedisPool(seeds: deployment.seeds, size: 8)
        let (group, running) = Self.runtime(CountingWorker(handled: handled), harness: harness, redis: redis)
        defer { running.cancel() }

        let behind = published.filter { $0.key == poisonedKey && $0.result.sequence > poisoned.sequence }.map(\.result)
        let expected = published.count - 1 - behind.count
        let store = DeadLetterStore(redis: redis, namespace: harness.log.configuration.namespace)
        try await eventually("every event handled or parked", timeout: 60) {
            let count = await handled.events.count
            let parked = try await store.list(worker: "catch-up").count
            return count >= expected && parked == 1 + behind.count
        }
        published += try await Self.publish(harness.log, keys: keys.filter { $0 != poisonedKey }, rounds: 2)  // live, after the catch-up
        try await eventually("the live events handled", timeout: 60) { await handled.events.count >= expected + 2 * (keys.count - 1) }
        await group.triggerGracefulShutdown()
        try await running.value

        let events = await handled.events
        let ids = events.map(\.id)
        #expect(Set(ids).count == ids.count, "no event handled twice")
        let handledIDs = Set(ids)
        let parkedIDs = Set(try await store.list(worker: "catch-up").map(\.eventID))
        #expect(parkedIDs == Set([poisoned.id] + behind.map(\.id)))
        for (_, result) in published where !parkedIDs.contains(result.id) {
            #expect(handledIDs.contains(result.id), "\(result.id) (sequence \(result.sequence)) was handled")
        }
        for (key, sequences) in Dictionary(grouping: events, by: \.key).mapValues({ $0.map(\.sequence) }) {
            #expect(sequences == sequences.sorted() && sequences.first == 1 || key == poisonedKey, "key \(key): \(sequences)")
        }
        #expect(Dictionary(grouping: events, by: \.key)[poisonedKey]?.map(\.sequence) == Array(1..<poisoned.sequence))
        for partition in 0..<2 {
            let backfill = WorkerKeys(namespace: harness.log.configuration.namespace, worker: "catch-up", partition: partition).backfill
            #expect(try await redis.send("EXISTS", backfill).int == 0, "partition \(partition)'s catch-up is over and its record gone")
        }
    }

    @Test func aCatchUpStoppedHalfwayResumesFromItsRecordWithoutHandlingAnythingTwice() async throws {
        let keys = Self.keys(perPartition: 3)
        let (harness, published) = try await Self.trimmedLog(keys: keys, rounds: 20)
        let redis = RedisPool(seeds: [TestServers.redisConfiguration], size: 8)
        let handled = Handled()
        let namespace = harness.log.configuration.namespace
        let records = (0..<2).map { WorkerKeys(namespace: namespace, worker: "catch-up", partition: $0).backfill }

        let (first, firstRun) = Self.runtime(CountingWorker(handled: handled, delay: .milliseconds(10)), harness: harness, redis: redis)
        defer { firstRun.cancel() }
        try await eventually("a part of the catch-up handled", timeout: 60) { await handled.events.count >= 20 }
        await first.triggerGracefulShutdown()
        try await firstRun.value
        let stoppedAt = await handled.events.count
        #expect(stoppedAt < published.count, "stopped before the end (\(stoppedAt) of \(published.count))")
        var positions: [String] = []
        for record in records {
            let fields = try await redis.send("HGETALL", record).fieldMap.mapValues(\.string)
            if let position = fields["position"] ?? nil { positions.append(position) }
        }
        #expect(positions.contains { $0 != "0-0" }, "progress was recorded: \(positions)")
        let statuses = try await WorkerStatusReader(redis: redis, namespace: namespace, partitions: 2).groupStatuses()
        #expect(statuses.contains { $0.catchUp != nil }, "berrys status and /v1/workers show the catch-up")

        let (second, secondRun) = Self.runtime(CountingWorker(handled: handled), harness: harness, redis: redis)
        defer { secondRun.cancel() }
        try await eventually("every event handled", timeout: 60) { await handled.events.count >= published.count }
        await second.triggerGracefulShutdown()
        try await secondRun.value
        let ids = await handled.events.map(\.id)
        #expect(Set(ids).count == ids.count, "a graceful stop finishes its batch and records it: nothing handled twice")
        #expect(Set(ids) == Set(published.map(\.result.id)))
        for (key, sequences) in Dictionary(grouping: await handled.events, by: \.key).mapValues({ $0.map(\.sequence) }) {
            #expect(sequences == Array(1...20), "key \(key): \(sequences)")
        }
    }
}

import EventLog
import Foundation
import RedisClient
import TestSupport
import Testing
@testable import Workers

/// The worker runtime on the real test Redis: delivery, order, emitted events, sharing.
@Suite struct RuntimeTests {
    @Test(arguments: TestServers.RedisDeployment.allCases)
    func everyEventIsHandledOnceInKeyOrderAndEmittedEventsExistOnce(on deployment: TestServers.RedisDeployment) async throws {
        let harness = try await RuntimeHarness(redisSeeds: deployment.seeds)
        let recorder = Recorder()
        var keys: [String] = []
        for _ in 0..<20 {
            let key = UUID().uuidString.lowercased()
            keys.append(key)
            try await harness.publish(key: key, count: 10)
        }
        // Exactly once holds while no lease is lost. A CI run stalled this test process long
        // enough (the test took 55 s instead of 0.6) to expire its 10 s leases: a lost lease
        // cancels what is in a handler, and that is delivered again (at least once; see
        // `PartitionConsumer.acknowledgeWhatIsDone`). Leases of 30 s keep this test about order.
        var settings = RuntimeHarness.fastSettings
        settings.lease = .seconds(30)
        try await harness.withRuntime([RecordingWorker(name: "rec", recorder: recorder)], settings: settings) {
            try await eventually("200 events handled") { await recorder.handled.count >= 200 }
            // The events the handlers emitted come after: the runtime reads (and acknowledges
            // unhandled) them too before the group has nothing pending or lagging. Stopping at
            // once left the last one unread under a loaded CI (lag 1 on one partition).
            try await eventually("nothing pending or lagging") {
                try await WorkerStatusReader(redis: harness.redis, namespace: harness.namespace, partitions: 4).groupStatuses()
                    .allSatisfy { $0.pending == 0 && ($0.lagEntries ?? 0) == 0 }
            }
        }

        #expect(await recorder.handled.count == 200)
        #expect(Set(await recorder.handled.map(\.eventID)).count == 200)
        let byKey = await recorder.sequencesByKey()
        for key in keys { #expect(byKey[key] == Array(1...10), "key \(key) out of order: \(byKey[key] ?? [])") }
        let emitted = try await harness.events(ofType: "tool.registered")
        #expect(emitted.count == 200)
        #expect(Set(emitted.compactMap(\.causationID)).count == 200)
        let status = try await WorkerStatusReader(redis: harness.redis, namespace: harness.namespace, partitions: 4).groupStatuses()
        #expect(status.allSatisfy { $0.pending == 0 && ($0.lagEntries ?? 0) == 0 }, "\(status)")
    }

    @Test func transientFailuresAreRetriedBeyondMaxDeliveriesWithoutParking() async throws {
        let harness = try await RuntimeHarness()
        let recorder = Recorder()
        let published = try await harness.publish(count: 3)
        await recorder.failTransiently(published[0].id, times: 6)
        // A 30 s lease: this test is about retries, and a lease lost in a stall of the whole
        // test process would hand the events over and (at least once) handle them again.
        var settings = RuntimeHarness.fastSettings
        settings.lease = .seconds(30)
        try await harness.withRuntime([RecordingWorker(name: "rec", recorder: recorder)], settings: settings) {
            // Each attempt is progress: the backoff and a loaded machine decide how long it takes.
            try await eventually("all handled after the dependency came back", progress: { await recorder.calls.values.reduce(0, +) }) {
                await recorder.handled.count == 3
            }
        }
        #expect(await recorder.handled.map(\.sequence) == [1, 2, 3])
        #expect(try await harness.deadLetters().isEmpty)
    }

    @Test(arguments: TestServers.RedisDeployment.allCases)
    func twoProcessesShareThePartitionsWithoutDoubleHandling(on deployment: TestServers.RedisDeployment) async throws {
        let harness = try await RuntimeHarness(redisSeeds: deployment.seeds)
        let recorder = Recorder()
        for _ in 0..<40 { try await harness.publish(count: 5) }
        let worker = RecordingWorker(name: "shared", recorder: recorder)
        // This test is about the hand-over between live processes, so it gives the hand-over
        // all the time it needs. An event is handled again, as it should be (at least once),
        // when a partition given back passes its grace (2 s in the test settings) or a lease
        // expires (5 s): under the full suite, a stall of the whole test process let every
        // lease of it expire at once, and the other process took those partitions over.
        var settings = RuntimeHarness.fastSettings
        settings.shutdownGrace = .seconds(60)
        settings.lease = .seconds(30)
        try await harness.withRuntime([worker], consumer: "first", settings: settings) {
            try await harness.withRuntime([worker], consumer: "second", settings: settings) {
                try await eventually("both processes hold partitions") {
                    let holders = try await WorkerStatusReader(redis: harness.redis, namespace: harness.namespace, partitions: 4)
                        .groupStatuses().compactMap(\.leaseHolder)
                    return Set(holders) == ["first", "second"]
                }
                for _ in 0..<40 { try await harness.publish(count: 5) }
                try await eventually("400 events handled") { await recorder.handled.count >= 400 }
            }
        }
        let handledTwice = await recorder.handled.filter { $0.attempt > 1 }.map { "\($0.eventID) attempt \($0.attempt)" }
        #expect(await recorder.handled.count == 400, "handled again: \(handledTwice)")
        #expect(Set(await recorder.handled.map(\.eventID)).count == 400)
        #expect(try await harness.events(ofType: "tool.registered").count == 400)
    }

    @Test(arguments: TestServers.RedisDeployment.allCases)
    func aStoppedProcessesPartitionsAreTakenOverWithItsPendingEvents(on deployment: TestServers.RedisDeployment) async throws {
        let harness = try await RuntimeHarness(partitions: 2, redisSeeds: deployment.seeds)
        let recorder = Recorder()
        let worker = RecordingWorker(name: "takeover", recorder: recorder)
        // A consumer that read entries and vanished without acknowledging them.
        try await harness.publish(count: 4)
        for partition in 0..<2 {
            let keys = WorkerKeys(namespace: harness.namespace, worker: "takeover", partition: partition)
            try await harness.redis.send("XGROUP", "CREATE", keys.stream, keys.group, "0", "MKSTREAM")
            try await harness.redis.send("XREADGROUP", "GROUP", keys.group, "vanished", "COUNT", "10", "STREAMS", keys.stream, ">")
        }
        try await harness.withRuntime([worker]) {
            try await eventually("the vanished consumer's events handled") { await recorder.handled.count == 4 }
        }
        #expect(await recorder.handled.map(\.sequence) == [1, 2, 3, 4])
        #expect(await recorder.handled.allSatisfy { $0.attempt == 2 })
    }

    @Test func anEventThatKeepsKillingConsumersIsParkedAsACrashLoop() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        let recorder = Recorder()
        let published = try await harness.publish(count: 2)
        let keys = WorkerKeys(namespace: harness.namespace, worker: "crashy", partition: 0)
        try await harness.redis.send("XGROUP", "CREATE", keys.stream, keys.group, "0", "MKSTREAM")
        try await harness.redis.send("XREADGROUP", "GROUP", keys.group, "victim-0", "COUNT", "1", "STREAMS", keys.stream, ">")
        // Three more consumers "died" holding it: each claim counts a delivery.
        for victim in 1...3 {
            try await harness.redis.send("XCLAIM", keys.stream, keys.group, "victim-\(victim)", "0", published[0].position.streamID.description)
        }
        try await harness.withRuntime([RecordingWorker(name: "crashy", recorder: recorder)]) {
            try await eventually("the crash-looping event parked") { try await harness.deadLetters().count == 2 }
        }
        let letters = try await harness.deadLetters()
        #expect(letters.map(\.reason) == [.crashLoop, .behindParkedKey])
        #expect(letters[0].eventID == published[0].id)
        #expect(await recorder.handled.isEmpty)
    }
}

@Suite struct ExactlyOnceEffectTests {
    /// A consumer published what the handler emitted and died before XACK: the process that takes
    /// over handles the event again, and the re-emitted events are dropped as duplicates.
    @Test func aCrashBetweenPublishAndAckLeavesEachEmittedEventOnce() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        let recorder = Recorder()
        let worker = RecordingWorker(name: "once", recorder: recorder)
        let published = try await harness.publish(count: 3)
        let keys = WorkerKeys(namespace: harness.namespace, worker: "once", partition: 0)
        try await harness.redis.send("XGROUP", "CREATE", keys.stream, keys.group, "0", "MKSTREAM")
        let read = try await harness.redis.send(RedisCommand("XREADGROUP", "GROUP", keys.group, "crashed", "COUNT", "3", "STREAMS", keys.stream, ">")
            .replying(as: .firstStreamEntries))
        let processor = DeliveryProcessor(worker: worker, keys: keys, log: harness.log, redis: harness.redis, postgres: nil,
                                          policy: RuntimeHarness.fastSettings.policy, consumer: "crashed",
                                          logger: .init(label: "test"), metrics: WorkerMetrics(worker: "once"))
        for entry in StreamReply.entries(read) {
            let delivery = Delivery.received(fields: entry.fields, streamID: entry.id, partition: 0, origin: .stream,
                                           registry: harness.log.registry, deliveryCount: 1)
            guard case .done = await processor.run(delivery) else { Issue.record("not processed"); return }
        }
        #expect(try await harness.events(ofType: "tool.registered").count == 3)
        #expect(try await harness.redis.send("XPENDING", keys.stream, keys.group).array?.first?.int == 3, "published, not acknowledged")

        try await harness.withRuntime([worker]) {
            try await eventually("the pending events handled again") { await recorder.handled.count == 6 }
            try await eventually("acknowledged") { try await harness.redis.send("XPENDING", keys.stream, keys.group).array?.first?.int == 0 }
        }
        let emitted = try await harness.events(ofType: "tool.registered")
        #expect(emitted.count == 3)
        #expect(Set(emitted.compactMap(\.causationID)) == Set(published.map(\.id)))
    }
}

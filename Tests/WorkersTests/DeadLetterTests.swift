import EventLog
import Foundation
import RedisClient
import TestSupport
import Testing
@testable import Workers

/// Sequenced dead-lettering on the real test Redis: park, park behind, retry, drop, invalid entries.
@Suite struct DeadLetterTests {
    @Test func aPoisonEventIsParkedItsKeyWaitsBehindItOtherKeysFlowAndRetryReleasesItInOrder() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        let recorder = Recorder()
        let poisonedKey = UUID().uuidString.lowercased()
        let poisoned = try await harness.publish(key: poisonedKey, count: 3)
        let other = try await harness.publish(count: 2)
        await recorder.poison([poisoned[1].id])
        let (later, afterRetry) = try await harness.withRuntime([RecordingWorker(name: "dlq", recorder: recorder)]) {
            try await eventually("the other key handled and the poisoned key parked") {
                let parked = try await harness.deadLetters().count
                return await recorder.handled.count == 3 && parked == 2
            }
            var letters = try await harness.deadLetters()
            #expect(letters.map(\.eventID) == [poisoned[1].id, poisoned[2].id])
            #expect(letters.map(\.reason) == [.maxDeliveries, .behindParkedKey])
            #expect(letters[0].attempts == 3)
            #expect(await recorder.calls[poisoned[1].id] == 3, "the handler ran max_deliveries times, no more")
            #expect(letters[0].error.contains("poisoned"))
            #expect(letters[0].field("dlq_source_id") == poisoned[1].position.streamID.description)
            #expect(letters[0].field("dlq_worker") == "dlq")
            #expect(letters[0].field("dlq_first_failed_at") != nil && letters[0].field("dlq_last_failed_at") != nil)
            #expect(letters[0].field("data") != nil, "the original fields are kept")

            // A later event of the parked key waits behind it too; other keys go on.
            let later = try await harness.publish(key: poisonedKey, count: 1)
            let more = try await harness.publish(count: 1)
            try await eventually("the new other-key event handled, the later one parked") {
                let parked = try await harness.deadLetters().count
                return await recorder.handled.contains { $0.eventID == more[0].id } && parked == 3
            }

            // Fix the cause and retry: the parked events come back in order, then the key flows again.
            await recorder.poison([])
            letters = try await harness.deadLetters()
            let moved = try await DeadLetterStore(redis: harness.redis, namespace: harness.namespace).retry(letters[0])
            #expect(moved == 3)
            try await eventually("the retried events handled") { await recorder.handled.count == 7 }
            let afterRetry = try await harness.publish(key: poisonedKey, count: 1)
            try await eventually("the key flows again") { await recorder.handled.count == 8 }
            return (later, afterRetry)
        }

        let order = await recorder.handled.filter { $0.key == poisonedKey }.map(\.eventID)
        #expect(order == [poisoned[0].id, poisoned[1].id, poisoned[2].id, later[0].id, afterRetry[0].id])
        #expect(try await harness.deadLetters().isEmpty)
        #expect(Set(await recorder.handled.map(\.eventID)).isSuperset(of: other.map(\.id)))
        let blocked = try await harness.redis.send("HGETALL", WorkerKeys(namespace: harness.namespace, worker: "dlq", partition: 0).blockedKeys)
        #expect(blocked.array?.isEmpty ?? true, "no key stays blocked: \(blocked)")
    }

    @Test func droppingTheHeadKeepsItAndReleasesTheEventsBehindIt() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        let recorder = Recorder()
        let key = UUID().uuidString.lowercased()
        let events = try await harness.publish(key: key, count: 3)
        await recorder.poison([events[0].id])
        try await harness.withRuntime([RecordingWorker(name: "drop", recorder: recorder)]) {
            try await eventually("three parked") { try await harness.deadLetters().count == 3 }
            let store = DeadLetterStore(redis: harness.redis, namespace: harness.namespace)
            let head = try await store.find(events[0].id)
            #expect(try await store.drop(head, by: "tester") == 2)
            try await eventually("the two behind it handled") { await recorder.handled.count == 2 }
        }
        #expect(await recorder.handled.map(\.eventID) == [events[1].id, events[2].id])
        let dropped = try await harness.redis.send("XRANGE", WorkerKeys(namespace: harness.namespace, worker: "drop", partition: 0).dropped, "-", "+")
        let fields = StreamReply.entries(dropped).first?.fields ?? []
        #expect(fields.contains { $0 == ("id", events[0].id) })
        #expect(fields.contains { $0 == ("dropped_by", "tester") })
        #expect(try await harness.deadLetters().isEmpty)
    }

    @Test func aRawInvalidEntryIsDeadLetteredAsInvalidAndTheWorkerGoesOn() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        let recorder = Recorder()
        let stream = harness.log.configuration.streamKey(partition: 0)
        try await harness.redis.send("XADD", stream, "*", "type", "project.status_changed", "data", "{not json")
        try await harness.redis.send("XADD", stream, "*", "specversion", "1.0", "id", "x1", "source", "raw", "type", "project.status_changed",
                                     "dataversion", "1", "subject", "s", "time", "2026-01-01T00:00:00Z", "datacontenttype", "application/json",
                                     "data", #"{"project_id": 5}"#)
        let valid = try await harness.publish(count: 1)
        try await harness.withRuntime([RecordingWorker(name: "inv", recorder: recorder)]) {
            try await eventually("the valid event handled and both invalid parked") {
                let parked = try await harness.deadLetters().count
                return await recorder.handled.count == 1 && parked == 2
            }
        }
        let letters = try await harness.deadLetters()
        #expect(letters.map(\.reason) == [.invalid, .invalid])
        #expect(letters.contains { $0.error.contains("/project_id") }, "\(letters.map(\.error))")
        #expect(letters.contains { $0.error.contains("has no specversion") }, "\(letters.map(\.error))")
        #expect(await recorder.handled.map(\.eventID) == [valid[0].id])
        #expect(try await DeadLetterStore(redis: harness.redis, namespace: harness.namespace).retryAll() == 2)
    }
}

@Suite(.serialized) struct RedisRestartTests {
    @Test func theRuntimeSurvivesARedisRestartWithoutBeingRestarted() async throws {
        try await SpareRedisServer.with { server in
            let configuration = try RedisConfiguration(url: "redis://127.0.0.1:\(server.port)")
            let harness = try await RuntimeHarness(partitions: 2, redisSeeds: [configuration])
            let recorder = Recorder()
            try await harness.publish(count: 3)
            try await harness.withRuntime([RecordingWorker(name: "restart", recorder: recorder)]) {
                try await eventually("handled before the restart") { await recorder.handled.count == 3 }
                // The server's exit closes every connection at once: the runtime's reads fail
                // and its reconnects are refused until the server is back.
                await server.stopOffPool()
                try await server.startOffPool()
                // The server came back empty (no persistence): the log is created again, as berrys init would.
                _ = try await EventLog.open(redis: harness.redis, configuration: harness.log.configuration, registry: TestLog.registry)
                try await harness.publish(count: 2)
                try await eventually("handled after the restart", timeout: 90) { await recorder.handled.count == 5 }
            }
        }
    }
}

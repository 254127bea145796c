import RedisClient
import TestSupport
import Testing
@testable import Workers

@Suite struct LeaseLossTests {
    /// A process whose lease vanished (Redis restarted empty, or the lease expired while it
    /// stalled) takes the partition again; what its old consumer read while being stopped must
    /// not be stranded in the pending list under the same consumer name.
    @Test func eventsReadWhileALostLeaseIsStoppedAreHandledAfterTakingItAgain() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        let recorder = Recorder()
        // The harness's 10 s leases: the test takes the lease away itself. With 2 s leases, the
        // test process's stalls beside two busy loops (up to 4.4 s) let the lease lapse again
        // and again, each time cancelling the work before it finished the event in hand.
        var settings = RuntimeHarness.fastSettings
        settings.block = .milliseconds(1000)
        try await harness.publish(count: 1)
        try await harness.withRuntime([RecordingWorker(name: "lost", recorder: recorder)], settings: settings) {
            try await eventually("handled before the lease is lost") { await recorder.handled.count == 1 }
            let lease = WorkerKeys(namespace: harness.namespace, worker: "lost", partition: 0).lease
            for round in 1...3 {
                try await harness.redis.send("DEL", lease)
                try await eventually("the lease taken again") { try await harness.redis.send("EXISTS", lease).int == 1 }
                try await harness.publish(count: 2)
                // Distinct events: one read just before the loss may be handled again by the
                // next holder (at least once; its effects are de-duplicated), never stranded.
                try await eventually("handled after losing the lease \(round) time(s)") {
                    Set(await recorder.handled.map(\.eventID)).count == 1 + 2 * round
                }
            }
        }
    }

    /// A lease taken by another process (this one stalled past it) stops this process's
    /// reads at once, before its own renewal notices (every lease/4 = 5 s here): events
    /// published after the theft are not delivered to it, and are handled once the lease is
    /// free again.
    @Test func aStolenLeaseStopsTheReadsBeforeTheRenewalNotices() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        let recorder = Recorder()
        var settings = RuntimeHarness.fastSettings
        settings.lease = .seconds(20)
        try await harness.publish(count: 1)
        try await harness.withRuntime([RecordingWorker(name: "stolen", recorder: recorder)], consumer: "victim", settings: settings) {
            try await eventually("handled before the theft") { await recorder.handled.count == 1 }
            try await Task.sleep(for: .seconds(2.5))  // past the runner's quick ticks after taking the partition
            let keys = WorkerKeys(namespace: harness.namespace, worker: "stolen", partition: 0)
            try await harness.redis.send("SET", keys.lease, "thief", "PX", "60000")
            let afterTheft = try await harness.publish(count: 3).map(\.position.streamID.description)
            try await Task.sleep(for: .seconds(1.5))  // real time: nothing delivered after the theft, for a while
            #expect(await recorder.handled.count == 1)
            // None of them was delivered to the victim. (An entry read before the theft may
            // still be pending, say the worker's own emitted event waiting for its
            // acknowledgement: the next holder claims it, at least once as designed.)
            let pending = try await harness.redis.send(RedisCommand("XPENDING", keys.stream, keys.group, "-", "+", "100")).array ?? []
            let pendingIDs = pending.compactMap { $0.array?.first?.string }
            #expect(Set(pendingIDs).isDisjoint(with: afterTheft), "delivered after the theft: \(pendingIDs)")
            try await harness.redis.send("DEL", keys.lease)
            try await eventually("handled after the lease came back") { await recorder.handled.count == 4 }
        }
    }
}

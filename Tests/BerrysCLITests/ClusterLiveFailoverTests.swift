import EventLog
import Foundation
import RedisClient
import TestSupport
import Testing

/// A primary of a live system's cluster crashes while events are published (`replicated`) and
/// `berrys run` consumes and projects them: its replica is promoted, the crashed node comes back
/// as a replica (as a supervisor would restart it), and publishing, workers and projector go on
/// by themselves. On a cluster of the test's own (`scripts/local-servers up live-failover-cluster`).
@Suite struct ClusterLiveFailoverTests {
    @Test func workersAndProjectorsGoOnThroughAPrimarysCrash() async throws {
        try await OwnCluster.with("live-failover-cluster") { url in
            let system = try await LiveClusterSystem.start(url: url, label: "livefail", durability: .replicated(timeout: .seconds(2)))
            let stream = system.log.configuration.streamKey(partition: 0)
            let victim = try await system.redis.node(forKey: stream)

            let progress = LiveClusterSystem.Progress()
            let publisher = Task { try await system.publish(rounds: 60, progress: progress) }
            try await eventually("the publisher under way", every: .milliseconds(10), progress: { await progress.rounds }) {
                await progress.rounds >= 15
            }
            try await OwnCluster.kill("live-failover-cluster", node: victim)
            let killedAtRound = await progress.rounds
            // The promoted replica has no replica of its own until the crashed node is back.
            try await eventually("a replica promoted for partition 0's slot", timeout: 30, every: .milliseconds(200)) {
                (try? await RedisPool(seeds: system.seeds, size: 1).slotMap().primary(forSlot: HashSlot.of(stream))).map { $0 != victim } ?? false
            }
            try await OwnCluster.restartStoppedNodes("live-failover-cluster")
            let published = try await publisher.value
            print("live failover: crash at round \(killedAtRound) of 60; \(published.acknowledged.count) events acknowledged, "
                  + "\(published.refused.count) not confirmed by a replica")
            #expect(killedAtRound < 60, "the publisher had finished before the crash: nothing was tested")
            #expect(published.refused.allSatisfy { $0.contains(EventLogError.Code.notReplicated.rawValue) },
                    "refusals other than not replicated: \(published.refused.filter { !$0.contains("NOT_REPLICATED") }.prefix(3))")
            #expect(published.acknowledged.count >= 2000, "only \(published.acknowledged.count) of 2400 acknowledged")
            try await system.audit(published)
            #expect(await system.stop() == 0, "\(system.output)")
        }
    }
}

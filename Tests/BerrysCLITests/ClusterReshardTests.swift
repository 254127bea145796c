import EventLog
import Foundation
import RedisClient
import TestSupport
import Testing

/// Resharding a live system: the slot of a busy partition moves to another primary while
/// events are published (batches, and atomic sets of two) and `berrys run` consumes and
/// projects them, on a cluster of the test's own (`scripts/local-servers up reshard-cluster`).
/// An ASK or MOVED in the middle of an atomic set never leaves half of it: the audit finds
/// every project at sequences 1, 2.
@Suite struct ClusterReshardTests {
    @Test func aBusyPartitionsSlotMovesWhilePublishingConsumingAndProjecting() async throws {
        try await OwnCluster.with("reshard-cluster") { url in
            let system = try await LiveClusterSystem.start(url: url, label: "reshard")
            let slot = HashSlot.of(system.log.configuration.streamKey(partition: 0))
            let map = try await system.redis.slotMap()
            let source = try #require(map.primary(forSlot: slot))
            let target = try #require(map.primaries.first { $0 != source })

            // 80 rounds of 40 events; the slot moves from the 15th on, ten keys at a time.
            let progress = LiveClusterSystem.Progress()
            let publisher = Task { try await system.publish(rounds: 80, progress: progress) }
            let atomicProgress = LiveClusterSystem.Progress()
            let atomicPublisher = Task { try await system.publishAtomically(rounds: 80, progress: atomicProgress) }
            try await eventually("the publisher under way", every: .milliseconds(10), progress: { await progress.rounds }) {
                await progress.rounds >= 15
            }
            let moved = try await SlotMigration.move(slot: slot, from: source, to: target, primaries: map.primaries,
                                                     configuration: system.seeds[0], keysPerBatch: 10) {
                // Real time between batches, so that the publisher's rounds overlap the move. (Its
                // rounds cannot be awaited here: while a slot is half moved, its multi-key appends
                // get TRYAGAIN until the move ends.)
                try await Task.sleep(for: .milliseconds(20))
            }
            let roundsWhenMoved = await progress.rounds, atomicRoundsWhenMoved = await atomicProgress.rounds
            var published = try await publisher.value
            let atomic = try await atomicPublisher.value
            #expect(published.refused.isEmpty, "\(published.refused.count) appends refused, e.g. \(published.refused.prefix(3))")
            #expect(atomic.refused.isEmpty, "\(atomic.refused.count) atomic sets refused, e.g. \(atomic.refused.prefix(3))")
            published.acknowledged += atomic.acknowledged
            #expect(roundsWhenMoved < 80, "the publisher had finished before the slot moved: nothing was tested")
            #expect(atomicRoundsWhenMoved < 80, "the atomic publisher had finished before the slot moved")
            #expect(moved > 10, "only \(moved) keys in the slot")
            #expect(try await system.redis.node(forKey: system.log.configuration.streamKey(partition: 0)) == target)
            #expect(try await system.stored().count == 3200 + 800)
            try await system.audit(published)
            #expect(await system.stop() == 0, "\(system.output)")
        }
    }
}

import EventLog
import Foundation
import RedisClient
import TestSupport
import Testing

/// A primary of a Redis Cluster is killed while events are published with
/// `BERRYS_DURABILITY=replicated`: its replica takes over, publishing resumes on it, and no
/// acknowledged event is lost or stored twice. The cluster is one of its own
/// (`scripts/local-servers up failover-cluster`), so the other tests never see the failover.
@Suite struct ClusterFailoverTests {
    /// What happened to the killed primary's partition, in time since the kill.
    private struct Outage {
        let killed = ContinuousClock.now
        /// The first append the promoted replica stored (acknowledged or not).
        var servedAgain: Duration?
        /// The first append acknowledged again (a replica of the new primary confirmed it).
        var acknowledgedAgain: Duration?
    }

    @Test func acknowledgedAppendsSurviveAPrimaryKilledMidPublish() async throws {
        try await OwnCluster.with("failover-cluster") { url in
            let seeds = try RedisConfiguration.seeds(url: url)
            let redis = RedisPool(seeds: seeds, size: 4)
            let configuration = EventLogConfiguration(namespace: TestServers.uniqueNamespace("failover"), partitions: 8,
                                                      unavailableRetry: .seconds(60), durability: .replicated(timeout: .seconds(2)))
            let log = try await TestLog.open(configuration, on: redis)
            let victimPartition = 0
            let victim = try await redis.node(forKey: configuration.streamKey(partition: victimPartition))
            var acknowledged: [AppendResult] = []
            var acknowledgedOnVictim = 0
            var outage: Outage?
            var restart: Task<Void, any Error>?
            // Publish until 100 events of the victim's partition were acknowledged before the kill
            // and 150 after, for as long as its events keep being acknowledged: the test fails
            // when publishing stalls for a minute, not when a loaded machine is slow (each
            // append waits for a replica, which a full suite beside two busy loops made
            // 160 ms an append, 80 s for the 150).
            var lastProgress = Date()
            while acknowledgedOnVictim < 250, Date().timeIntervalSince(lastProgress) < 60 {
                let envelope = try log.prepare(AppendTests.project())
                let onVictim = log.partition(of: envelope) == victimPartition
                do {
                    acknowledged.append(try await log.append(prepared: envelope))
                    if onVictim {
                        acknowledgedOnVictim += 1
                        lastProgress = Date()
                        if let killed = outage?.killed, outage?.acknowledgedAgain == nil { outage?.acknowledgedAgain = .now - killed }
                    }
                } catch let error as EventLogError where error.code == .notReplicated {
                    // Not acknowledged: it may or may not be there, which the check below allows.
                    // The promoted replica has no replica of its own until the killed node
                    // comes back (as a supervisor would bring it back) and follows it.
                    guard onVictim, let killed = outage?.killed, outage?.servedAgain == nil else { continue }
                    outage?.servedAgain = .now - killed
                    lastProgress = Date()  // served again: the wait for a replica starts now
                    restart = Task { try await OwnCluster.restartStoppedNodes("failover-cluster") }
                    continue
                }
                if outage == nil, acknowledgedOnVictim == 100 {
                    try await OwnCluster.kill("failover-cluster", node: victim)
                    outage = Outage()
                }
            }
            try await restart?.value
            #expect(acknowledgedOnVictim >= 250, "publishing to the killed primary's partition stalled for 60 s")
            let promoted = try await redis.node(forKey: configuration.streamKey(partition: victimPartition))
            #expect(promoted != victim)
            print("failover: the killed primary's partition was served again after \(outage?.servedAgain.map { "\($0)" } ?? "never"), "
                  + "acknowledged again (a replica back) after \(outage?.acknowledgedAgain.map { "\($0)" } ?? "never")")

            var stored: [String: Int] = [:]
            for partition in 0..<8 {
                var position = StreamID.zero
                while true {
                    let events = try await log.read(partition: partition, after: position, count: 1000, upcast: false)
                    for event in events { stored[event.id, default: 0] += 1 }
                    guard let last = events.last?.position else { break }
                    position = last.streamID
                }
            }
            let lost = acknowledged.filter { stored[$0.id] == nil }
            #expect(lost.isEmpty, "\(lost.count) acknowledged events lost, e.g. \(lost.prefix(3).map(\.id))")
            #expect(stored.values.allSatisfy { $0 == 1 }, "an event is stored twice")
        }
    }
}

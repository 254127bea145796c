import EventLog
import Foundation
import RedisClient
import TestSupport
import Testing

/// `Durability.replicated`: an append is acknowledged only once a replica has it (`WAIT 1`).
/// The test cluster's primaries each have a replica; the single test node has none.
@Suite struct DurabilityTests {
    private static func log(on deployment: TestServers.RedisDeployment, timeout: Duration) async throws -> EventLog {
        let configuration = EventLogConfiguration(namespace: TestServers.uniqueNamespace("durable"), partitions: 4,
                                                  unavailableRetry: .seconds(2),
                                                  durability: .replicated(timeout: timeout))
        return try await TestLog.open(configuration, on: RedisPool(seeds: deployment.seeds, size: 4))
    }

    @Test func withAReplicaSingleAndBatchAppendsAreAcknowledged() async throws {
        let log = try await Self.log(on: .cluster, timeout: .seconds(5))
        let single = try await log.append(AppendTests.project())
        #expect(!single.duplicate)
        let batch = try (0..<20).map { _ in try log.prepare(AppendTests.project()) }
        let results = try await log.appendBatch(batch)
        #expect(results.allSatisfy { (try? $0.get().duplicate) == false }, "\(results)")
        // A duplicate is acknowledged the same way, once a replica is in step.
        #expect(try await log.append(prepared: batch[0]).duplicate)
        #expect(try await log.appendBatch([batch[1]]).allSatisfy { (try? $0.get().duplicate) == true })
        let project = UUID().uuidString.lowercased()
        let set = try await log.appendAtomically([AppendTests.project(project), AppendTests.projectStatus(project, "DRAFT", "PLANNING")])
        #expect(set.map(\.sequence) == [1, 2])
    }

    /// An atomic set without a replica: on the primary whole, not acknowledged.
    @Test func withoutAReplicaAnAtomicSetIsStoredWholeButNotAcknowledged() async throws {
        let log = try await Self.log(on: .single, timeout: .milliseconds(50))
        let project = UUID().uuidString.lowercased()
        let error = await #expect(throws: EventLogError.self) {
            try await log.appendAtomically([AppendTests.project(project), AppendTests.projectStatus(project, "DRAFT", "PLANNING")])
        }
        #expect(error?.code == .notReplicated)
        #expect(try await log.currentSequence(subject: project) == 2)
    }

    /// Without a replica, nothing is acknowledged: each append says it is on the primary only,
    /// that it may or may not survive a failover, and that a retry is safe. It is stored, and
    /// a retry de-duplicates against it.
    @Test func withoutAReplicaAnAppendIsStoredButNotAcknowledged() async throws {
        let log = try await Self.log(on: .single, timeout: .milliseconds(50))
        let envelope = try log.prepare(AppendTests.project())
        let error = await #expect(throws: EventLogError.self) { try await log.append(prepared: envelope) }
        #expect(error?.code == .notReplicated)
        #expect(error?.message.contains("within 50 ms") == true, "\(String(describing: error))")
        #expect(error?.message.contains("its id de-duplicates") == true)

        let batch = try (0..<3).map { _ in try log.prepare(AppendTests.project()) } + [envelope]
        // The last one was stored by the append above: a duplicate, which is no more
        // acknowledged than its original was without a replica.
        let results = try await log.appendBatch(batch)
        #expect(results.allSatisfy { if case .failure(let failure) = $0 { failure.code == .notReplicated } else { false } },
                "\(results)")
        let retried = await #expect(throws: EventLogError.self) { try await log.append(prepared: envelope) }
        #expect(retried?.code == .notReplicated)

        var stored: [String] = []
        for partition in 0..<4 { stored += try await log.read(partition: partition, count: 100).map(\.id) }
        #expect(Set(stored) == Set(batch.map(\.id)))
    }
}

import EventLog
import Foundation
import RedisClient
import TestSupport
import Testing
@testable import Workers

/// `berrys worker --from`: where a new worker's consumer groups start, and the refusal to start
/// from the beginning of a log whose oldest events only the archive holds.
@Suite struct GroupStartTests {
    func lastDelivered(_ harness: RuntimeHarness, worker: String, partition: Int) async throws -> String? {
        let keys = WorkerKeys(namespace: harness.namespace, worker: worker, partition: partition)
        let groups = try await harness.redis.send("XINFO", "GROUPS", keys.stream).array ?? []
        for group in groups where group.fieldMap["name"]?.string == worker {
            return group.fieldMap["last-delivered-id"]?.string
        }
        return nil
    }

    @Test func newGroupsStartAtTheBeginningOrNowAndExistingOnesKeepTheirPlace() async throws {
        let harness = try await RuntimeHarness(partitions: 2)
        for _ in 0..<5 { try await harness.publish(count: 2) }
        try await GroupStart.beginning.createGroups(worker: "old", log: harness.log, redis: harness.redis)
        try await GroupStart.now.createGroups(worker: "new", log: harness.log, redis: harness.redis)
        for partition in 0..<2 {
            #expect(try await lastDelivered(harness, worker: "old", partition: partition) == "0-0")
            let head = try await harness.log.lastStreamID(partition: partition)
            #expect(try await lastDelivered(harness, worker: "new", partition: partition) == head.description)
        }
        try await GroupStart.now.createGroups(worker: "old", log: harness.log, redis: harness.redis)
        #expect(try await lastDelivered(harness, worker: "old", partition: 0) == "0-0", "an existing group keeps its place")
    }

    @Test func theBeginningOfATrimmedLogIsRefusedNamingThePartitionAndNowIsNot() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        try await harness.publish(count: 6)
        let head = try await harness.log.lastStreamID(partition: 0)
        let trimmed = try await harness.log.trim(partition: 0, below: head, maximumEntries: 3)
        #expect(trimmed.removed == 3)

        let refusal = await #expect(throws: GroupStartRefused.self) {
            try await GroupStart.beginning.createGroups(worker: "late", log: harness.log, redis: harness.redis)
        }
        #expect(refusal?.partition == 0)
        #expect(refusal?.description.contains("--from now") == true)
        #expect(try await lastDelivered(harness, worker: "late", partition: 0) == nil, "the refused group is not left behind")

        try await GroupStart.now.createGroups(worker: "late", log: harness.log, redis: harness.redis)
        #expect(try await lastDelivered(harness, worker: "late", partition: 0) == head.description)
    }
}

import EventLog
import Foundation
import RedisClient
import TestSupport
import Testing
@testable import Workers

/// `berrys worker --from`: where a new worker's consumer groups start; from the beginning of a
/// trimmed log, at the trimmed point with a catch-up from the archive, or refused without one.
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
        try await DeadLetterFunctions.load(on: harness.redis)
        for _ in 0..<5 { try await harness.publish(count: 2) }
        try await GroupStart.beginning.createGroups(worker: "old", log: harness.log, redis: harness.redis, canCatchUp: false)
        try await GroupStart.now.createGroups(worker: "new", log: harness.log, redis: harness.redis, canCatchUp: false)
        for partition in 0..<2 {
            #expect(try await lastDelivered(harness, worker: "old", partition: partition) == "0-0")
            let head = try await harness.log.lastStreamID(partition: partition)
            #expect(try await lastDelivered(harness, worker: "new", partition: partition) == head.description)
        }
        try await GroupStart.now.createGroups(worker: "old", log: harness.log, redis: harness.redis, canCatchUp: false)
        #expect(try await lastDelivered(harness, worker: "old", partition: 0) == "0-0", "an existing group keeps its place")
    }

    @Test func theBeginningOfATrimmedLogStartsAtTheTrimmedPointWithACatchUpRecorded() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        try await DeadLetterFunctions.load(on: harness.redis)
        try await harness.publish(count: 6)
        let head = try await harness.log.lastStreamID(partition: 0)
        let trimmed = try await harness.log.trim(partition: 0, below: head, maximumEntries: 3)
        let watermark = try await harness.log.trimWatermark(partition: 0)
        #expect(trimmed.removed == 3 && watermark > .zero)

        let catchingUp = try await GroupStart.beginning.createGroups(worker: "late", log: harness.log, redis: harness.redis, canCatchUp: true)
        #expect(catchingUp == [0: watermark])
        #expect(try await lastDelivered(harness, worker: "late", partition: 0) == watermark.description)
        let keys = WorkerKeys(namespace: harness.namespace, worker: "late", partition: 0)
        let record = try await harness.redis.send("HGETALL", keys.backfill).fieldMap.mapValues(\.string)
        #expect(record == ["target": watermark.description, "position": "0-0"])

        // Created once: a second start changes neither the group nor the record.
        try await harness.publish(count: 2)
        #expect(try await GroupStart.beginning.createGroups(worker: "late", log: harness.log, redis: harness.redis, canCatchUp: true).isEmpty)
        #expect(try await lastDelivered(harness, worker: "late", partition: 0) == watermark.description)
        // An untrimmed partition needs no catch-up.
        let fresh = try await RuntimeHarness(partitions: 1)
        try await fresh.publish(count: 2)
        #expect(try await GroupStart.beginning.createGroups(worker: "w", log: fresh.log, redis: fresh.redis, canCatchUp: true).isEmpty)
        #expect(try await lastDelivered(fresh, worker: "w", partition: 0) == "0-0")
    }

    @Test func theBeginningOfATrimmedLogIsRefusedWithoutTheArchiveNamingThePartitionAndNowIsNot() async throws {
        let harness = try await RuntimeHarness(partitions: 1)
        try await DeadLetterFunctions.load(on: harness.redis)
        try await harness.publish(count: 6)
        let head = try await harness.log.lastStreamID(partition: 0)
        let trimmed = try await harness.log.trim(partition: 0, below: head, maximumEntries: 3)
        #expect(trimmed.removed == 3)

        let refusal = await #expect(throws: GroupStartRefused.self) {
            try await GroupStart.beginning.createGroups(worker: "late", log: harness.log, redis: harness.redis, canCatchUp: false)
        }
        #expect(refusal?.partition == 0)
        #expect(refusal?.description.contains("--from now") == true)
        #expect(refusal?.description.contains("BERRYS_DATABASE_URL") == true)
        #expect(try await lastDelivered(harness, worker: "late", partition: 0) == nil, "the refused group is not left behind")

        try await GroupStart.now.createGroups(worker: "late", log: harness.log, redis: harness.redis, canCatchUp: false)
        #expect(try await lastDelivered(harness, worker: "late", partition: 0) == head.description)
    }
}

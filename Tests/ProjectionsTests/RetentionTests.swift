import EventLog
import Foundation
import PostgresClient
@testable import Projections
import RedisClient
import TestSupport
import Testing

/// Retention on real Redis and PostgreSQL: nothing leaves Redis before the archive has it or
/// while a consumer group needs it, and the tiered log reads across the trimmed point with
/// every position once.
@Suite struct RetentionTests {
    /// Every entry of every partition, read from Redis alone (before any trim).
    static func everything(_ log: EventLog) async throws -> [Int: [Position]] {
        var result: [Int: [Position]] = [:]
        for partition in 0..<log.partitioner.partitions {
            result[partition] = try await Self.positions(LogOnly(log: log), partition: partition, batch: 1000)
        }
        return result
    }

    static func positions(_ source: some EventSource, partition: Int, batch: Int) async throws -> [Position] {
        var positions: [Position] = [], after = StreamID.zero
        while true {
            let entries = try await source.entries(partition: partition, after: after, count: batch)
            positions += entries.compactMap(\.position)
            guard let last = entries.last?.position, entries.count == batch else { return positions }
            after = last.streamID
        }
    }

    @Test func nothingLeavesRedisBeforeTheArchiveHasItThenTheTieredLogReadsEverything() async throws {
        let harness = try await ProjectionHarness.make()
        try await DeterminismTests.workload(harness.log)
        let log = harness.log
        let before = try await Self.everything(log)
        let trimmer = LogTrimmer(log: log, catalog: ProjectionCatalog(pool: harness.pool), policy: .entries(5))

        // No archive yet: nothing is trimmed, and every partition over its retention says why.
        for report in try await trimmer.round() {
            #expect(report.removed == 0)
            #expect(report.state.length == before[report.partition]?.count)
            #expect(report.heldBy?.contains("archive projection is not live") == true, "\(report.heldBy ?? "not held")")
        }

        let berrys = try ProjectionHarness.berrys
        try await harness.project([try ProjectionHarness.archive] + berrys)
        let reports = try await trimmer.round()
        for report in reports {
            let total = before[report.partition]?.count ?? 0
            #expect(report.state.length == min(total, 5))
            #expect(report.removed == max(0, total - 5))
            #expect(report.heldBy == nil)
        }
        let trimmed = try #require(reports.first { $0.removed > 0 })

        // Redis alone refuses a trimmed range, naming it; above the watermark it answers.
        let error = await #expect(throws: EventLogError.self) { _ = try await log.read(partition: trimmed.partition, after: .zero) }
        #expect(error?.code == .trimmed)
        #expect(error?.message.contains("trimmed below \(trimmed.state.watermark)") == true, "\(error?.message ?? "")")
        #expect(try await log.read(partition: trimmed.partition, after: before[trimmed.partition]![trimmed.removed - 1].streamID).count == 5)

        // The tiered log gives every position once, in order, from any start and batch size.
        let tiered = TieredSource(log: log, pool: harness.pool)
        for partition in 0..<log.partitioner.partitions {
            for batch in [1, 3, 1000] {
                #expect(try await Self.positions(tiered, partition: partition, batch: batch) == before[partition], "partition \(partition), batch \(batch)")
            }
        }

        // Rebuilds from the tiered log equal the builds made live before the trim.
        try await harness.expectRebuildsEqualLive(berrys)
    }

    @Test func aProjectionBehindTheTrimmedPointShowsItsWholeLag() async throws {
        let harness = try await ProjectionHarness.make()
        try await DeterminismTests.workload(harness.log)
        let total = try await Self.everything(harness.log).values.map(\.count).reduce(0, +)
        try await harness.project([try ProjectionHarness.archive])
        let removed = try await LogTrimmer(log: harness.log, catalog: ProjectionCatalog(pool: harness.pool), policy: .entries(5))
            .round().map(\.removed).reduce(0, +)
        #expect(removed > 0)

        // A projection registered now starts at the beginning: all of its lag but 5 entries a
        // partition is in the archive.
        let planning = try ProjectionHarness.projection("planning")
        try await ProjectionCatalog(pool: harness.pool).register(planning, partitions: harness.log.partitioner.partitions)
        let status = try #require(try await ProjectionStatus.all(pool: harness.pool, log: harness.log).first { $0.name == "planning" })
        #expect(status.lagEvents == total, "Redis keeps \(total - removed) of \(total)")
        #expect(!status.lagCapped)
        #expect(status.lagSeconds > 0)
    }

    @Test func aConsumerGroupHoldsTrimmingUntilItHasAcknowledged() async throws {
        let harness = try await ProjectionHarness.make(partitions: 1)
        try await DeterminismTests.workload(harness.log)
        let log = harness.log
        let stream = log.configuration.streamKey(partition: 0)
        let redis = RedisPool(configuration: TestServers.redisConfiguration)
        try await redis.send("XGROUP", "CREATE", stream, "slow", "0")
        try await harness.project([try ProjectionHarness.archive])
        let trimmer = LogTrimmer(log: log, catalog: ProjectionCatalog(pool: harness.pool), policy: .entries(1))

        let untouched = try #require(try await trimmer.round().first)
        #expect(untouched.removed == 0)
        #expect(untouched.heldBy == "consumer group slow (last delivered 0-0)")

        let delivered = try await redis.send("XREADGROUP", "GROUP", "slow", "c1", "COUNT", "3", "STREAMS", stream, ">")
        let ids = (delivered.array?.first?.array?[1].array ?? []).compactMap { $0.array?.first?.string }
        #expect(ids.count == 3)
        let pending = try #require(try await trimmer.round().first)
        #expect(pending.removed == 0, "three delivered but pending: they stay")
        #expect(pending.heldBy == "consumer group slow (oldest pending \(ids[0]))")

        try await redis.send(RedisCommand(["XACK", stream, "slow"] + ids))
        let acknowledged = try #require(try await trimmer.round().first)
        #expect(acknowledged.removed == 3)
        let lastAcknowledged = try #require(StreamID(ids[2]))
        #expect(try #require(acknowledged.state.firstEntry) > lastAcknowledged)
        #expect(acknowledged.state.watermark == lastAcknowledged.successor)
        #expect(acknowledged.heldBy == "consumer group slow (last delivered \(ids[2]))")
    }

    @Test func theSeamMovingUnderReadersGivesEveryPositionOnce() async throws {
        let harness = try await ProjectionHarness.make(partitions: 1)
        let log = harness.log
        for round in 0..<8 { try await DeterminismTests.workload(log); _ = round }
        try await harness.project([try ProjectionHarness.archive])
        let everything = try #require(try await Self.everything(log)[0])
        let last = try #require(everything.last).streamID
        let trimming = Task {
            // Small steps, so that the seam moves many times while the readers cross it.
            var watermark = StreamID.zero
            while watermark <= last {
                watermark = try await log.trim(partition: 0, below: last.successor, maximumEntries: 7).watermark
                if try await log.trimState(partition: 0).length == 0 { return }
            }
        }
        let tiered = TieredSource(log: log, pool: harness.pool)
        var passes = 0
        repeat {
            async let a = Self.positions(tiered, partition: 0, batch: 13)
            async let b = Self.positions(tiered, partition: 0, batch: 50)
            let (first, second) = try await (a, b)
            #expect(first == everything, "pass \(passes), batch 13: \(first.count) positions of \(everything.count)")
            #expect(second == everything, "pass \(passes), batch 50: \(second.count) positions of \(everything.count)")
            passes += 1
        } while try await log.trimState(partition: 0).length > 0 && passes < 200
        try await trimming.value
        print("seam test: \(everything.count) positions, \(passes) passes of two readers while the trim moved in steps of 7")
        #expect(try await log.trimState(partition: 0).length == 0)
        #expect(try await Self.positions(tiered, partition: 0, batch: 100) == everything, "all of it from the archive")
    }
}

/// Redis alone, as stored (what the projector read before the tiered log).
struct LogOnly: EventSource {
    let log: EventLog
    func entries(partition: Int, after: StreamID, count: Int) async throws -> [LogEntry] {
        try await log.readEntries(partition: partition, after: after, count: count)
    }
}

import BerrysJSON
import EventLog
import Foundation
import PostgresClient
@testable import Projections
import TestSupport
import Testing

@Suite struct ProjectionWaiterTests {
    @Test func everyPublishedEventIsReadableAfterTheWait() async throws {
        let harness = try await ProjectionHarness.make()
        let archive = try ProjectionHarness.archive
        let projector = Task { try await Projector(log: harness.log, pool: harness.pool, definitions: [archive]).run() }
        defer { projector.cancel() }
        let waiter = ProjectionWaiter(conninfo: harness.url, clock: .system)
        for _ in 0..<100 {
            let result = try await harness.log.append(ProjectorTests.project())
            #expect(try await waiter.wait(projection: "archive", reached: result.position, timeout: .seconds(60)))
            let found = try await harness.pool.query("SELECT count(*) FROM read.events WHERE id = $1", [result.id]).scalar
            #expect(found == "1")
        }
    }

    @Test func timesOutWhenTheProjectionDoesNotMove() async throws {
        let harness = try await ProjectionHarness.make()
        try await ProjectionCatalog(pool: harness.pool).register(try ProjectionHarness.archive, partitions: 4)
        let result = try await harness.log.append(ProjectorTests.project())
        // The timeout is read on the waiter's clock: a manual one that the test moves on, so the
        // wait ends once 30 s passed on it, not 30 s of real time.
        let clock = ManualClock()
        let waiter = ProjectionWaiter(conninfo: harness.url, clock: clock.berrysClock())
        let reached = try await clock.run(advancingBy: .milliseconds(100), .always) {
            try await waiter.wait(projection: "archive", reached: result.position, timeout: .seconds(30))
        }
        #expect(reached == false)
        #expect(clock.now.offset >= .seconds(30))
    }

    /// A wait is served while every connection of the pool the process shares (the projector's
    /// and the API's, as in `berrys run`) is held: the watcher reads on connections of its own.
    @Test func aWaitIsServedWhileTheSharedPoolIsBusy() async throws {
        let harness = try await ProjectionHarness.make()
        let archive = try ProjectionHarness.archive
        let shared = PostgresPool(conninfo: harness.url, size: 1)
        let watcher = CheckpointWatcher(pool: shared, clock: .system)
        let watching = Task { try await watcher.run() }
        let projector = Task { try await Projector(log: harness.log, pool: harness.pool, definitions: [archive]).run() }
        defer { projector.cancel(); watching.cancel() }
        while !watcher.isWatching { await Task.yield() }
        try await whileHoldingTheOnlyConnection(of: shared) {
            let result = try await harness.log.append(ProjectorTests.project())
            #expect(try await watcher.wait(projection: "archive", reached: result.position, timeout: .seconds(600)))
        }
    }

    /// A checkpoint that moves without a notification (one missed, for any reason) is still
    /// seen: the checkpoints of a projection with waiters are read every recheck interval.
    @Test func aCheckpointMovedWithoutANotificationIsSeenWithinTheRecheckInterval() async throws {
        let harness = try await ProjectionHarness.make()
        let archive = try ProjectionHarness.archive
        _ = try await ProjectionCatalog(pool: harness.pool).register(archive, partitions: harness.log.partitioner.partitions)
        let clock = ManualClock()
        let watcher = CheckpointWatcher(pool: harness.pool, clock: clock.berrysClock(), recheckInterval: .seconds(1))
        let watching = Task { try await watcher.run() }
        defer { watching.cancel() }
        while !watcher.isWatching { await Task.yield() }
        let position = Position(partition: 0, streamID: StreamID(milliseconds: 5, sequence: 0))
        async let reached = watcher.wait(projection: "archive", reached: position, timeout: .seconds(30))
        try await eventually("the watcher listened and looked once") { watcher.activity(of: "archive").sinceRecheck != nil }
        try await harness.pool.query("UPDATE berrys.checkpoints SET stream_id = '5-0' WHERE projection = 'archive' AND partition = 0")
        clock.advance(by: .seconds(1))
        #expect(try await reached)
        #expect(watcher.activity(of: "archive").lastNotification == nil, "no notification was sent")
    }

    /// One watcher serves many concurrent waiters (each sees its own event once it waited),
    /// and one that cannot be served in time gets false.
    @Test func oneWatcherServesManyConcurrentWaiters() async throws {
        let harness = try await ProjectionHarness.make()
        let archive = try ProjectionHarness.archive
        let clock = ManualClock()
        let watcher = CheckpointWatcher(pool: harness.pool, clock: clock.berrysClock())
        let watching = Task { try await watcher.run() }
        let projector = Task { try await Projector(log: harness.log, pool: harness.pool, definitions: [archive]).run() }
        defer { projector.cancel(); watching.cancel() }
        while !watcher.isWatching { await Task.yield() }
        let served = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    let result = try await harness.log.append(ProjectorTests.project())
                    guard try await watcher.wait(projection: "archive", reached: result.position, timeout: .seconds(60)) else { return false }
                    return try await harness.pool.query("SELECT count(*) FROM read.events WHERE id = $1", [result.id]).scalar == "1"
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(served.count == 40 && served.allSatisfy { $0 })
        let beyond = Position(partition: 0, streamID: StreamID(milliseconds: UInt64.max / 2, sequence: 0))
        let reached = try await clock.run(advancingBy: .milliseconds(100), .always) { try await watcher.wait(projection: "archive", reached: beyond, timeout: .seconds(30)) }
        #expect(reached == false)
        #expect(clock.now.offset >= .seconds(30))
    }
}

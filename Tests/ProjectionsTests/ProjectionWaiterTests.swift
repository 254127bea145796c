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
        let waiter = ProjectionWaiter(conninfo: harness.url)
        for _ in 0..<100 {
            let result = try await harness.log.append(ProjectorTests.project())
            #expect(try await waiter.wait(projection: "archive", reached: result.position, timeout: 5))
            let found = try await harness.pool.query("SELECT count(*) FROM read.events WHERE id = $1", [result.id]).scalar
            #expect(found == "1")
        }
    }

    @Test func timesOutWhenTheProjectionDoesNotMove() async throws {
        let harness = try await ProjectionHarness.make()
        try await ProjectionCatalog(pool: harness.pool).register(try ProjectionHarness.archive, partitions: 4)
        let result = try await harness.log.append(ProjectorTests.project())
        let started = Date()
        #expect(try await ProjectionWaiter(conninfo: harness.url).wait(projection: "archive", reached: result.position, timeout: 0.3) == false)
        #expect(Date().timeIntervalSince(started) >= 0.3)
    }
}

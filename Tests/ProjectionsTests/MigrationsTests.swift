import PostgresClient
import Projections
import TestSupport
import Testing

@Suite struct MigrationsTests {
    @Test func migrationsAreIdempotentAndSafeConcurrently() async throws {
        let url = try await TestServers.freshDatabase()
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask { try await Migrations.run(on: PostgresConnection(conninfo: url)) }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(applied.sorted() == Migrations.all.map(\.version))
        #expect(try await Migrations.run(on: PostgresConnection(conninfo: url)).isEmpty)
        let recorded = try await PostgresConnection(conninfo: url).query("SELECT count(*) FROM berrys.schema_migrations").scalar
        #expect(recorded == String(Migrations.all.count))
    }
}

import Foundation
import PostgresClient
import Projections
import TestSupport
import Testing

@Suite struct MigrationsTests {
    /// The table's CHECK (a released migration, never edited) and `ProjectionState` name the
    /// same states: the queries spell them from the enum, the table only accepts these.
    @Test func theCatalogTableAcceptsExactlyTheProjectionStates() throws {
        let sql = Migrations.all.map(\.sql).joined(separator: "\n")
        let check = try #require(sql.firstRange(of: "CHECK (state IN (").map { sql[$0.upperBound...].prefix { $0 != ")" } })
        let stored = Set(check.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'")) })
        #expect(stored == Set(ProjectionState.allCases.map(\.rawValue)))
        #expect(ProjectionState.servingSQL == "('live', 'faulted')")
    }

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

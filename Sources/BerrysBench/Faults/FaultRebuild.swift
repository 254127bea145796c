import ProcessSupport
import BerrysFoundation
import Foundation
import PostgresClient
import Projections
#if canImport(Glibc)
import Glibc
#endif

/// Every projection of a scenario compared with a fresh rebuild from the same log: a new
/// database, `berrys migrate`, `berrys replay NAME` for each projection (optionally killed at
/// random moments and started again, which covers the rebuild's batch commits and its
/// switch-over), then table by table row count and digest.
struct FaultRebuild: Sendable {
    let world: FaultWorld
    let projections: [String]

    /// - Parameter kills: kill -9s of `berrys replay` during the rebuild (each restarted).
    /// - Returns: the tables that differ (empty: identical), and the kills made.
    func compare(kills: Int, events: Int, random: inout SplitMix) async throws -> (differences: [String], kills: Int) {
        let name = world.databaseName + "_rebuild"
        let url = FaultWorld.url(world.databaseURL, database: name)
        await world.addDatabase(name)
        try await PostgresConnection(conninfo: world.servers.databaseURL).execute("CREATE DATABASE \(name)")
        try await world.berrys(["migrate"], databaseURL: url)
        var made = 0
        for projection in projections {
            made += try await replay(projection, databaseURL: url, kills: kills / max(projections.count, 1), events: events, random: &random)
        }
        var differences: [String] = []
        let live = PostgresPool(conninfo: world.databaseURL, size: 1), rebuilt = PostgresPool(conninfo: url, size: 1)
        for projection in projections {
            let liveTables = try await Self.digests(live, projection: projection)
            let rebuiltTables = try await Self.digests(rebuilt, projection: projection)
            for table in Set(liveTables.keys).union(rebuiltTables.keys).sorted() where liveTables[table] != rebuiltTables[table] {
                differences.append("\(projection).\(table): live \(liveTables[table] ?? "missing"), rebuilt \(rebuiltTables[table] ?? "missing")")
            }
            if liveTables.isEmpty { differences.append("\(projection): no live tables") }
        }
        return (differences, made)
    }

    /// Replays one projection to its end, killed up to `kills` times at random moments first
    /// (each run resumes where the killed one stopped, so later kills land nearer the end and
    /// the switch-over). - Returns: the kills made (fewer when a run finished before its kill).
    private func replay(_ projection: String, databaseURL: String, kills: Int, events: Int, random: inout SplitMix) async throws -> Int {
        // A replay here applies 10k–30k events/s after about 0.3 s of start-up.
        let span = 0.3 + Double(events) / 15_000
        var made = 0
        for _ in 0..<kills {
            let process = try await world.startCommand(["replay", projection], databaseURL: databaseURL)
            try await Task.sleep(for: .seconds(random.uniform(0.05, span)))
            if let status = process.exited() {
                guard status == 0 else { throw FaultRunError("berrys replay \(projection) exited \(status) (see \(world.logPath))") }
                break
            }
            _ = await Blocking.run { process.stop(signal: SIGKILL) }
            made += 1
        }
        try await world.berrys(["replay", projection], databaseURL: databaseURL)
        return made
    }

    /// Table → "rows md5" of every base table of the projection's live schema.
    static func digests(_ pool: PostgresPool, projection: String) async throws -> [String: String] {
        guard let schema = try await pool.query(
            "SELECT schema_name FROM berrys.projections WHERE name = $1 AND state = \(ProjectionState.live.sql)", [projection]).scalar else { return [:] }
        let tables = try await pool.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'", [schema])
            .values.compactMap { $0[0] }
        var digests: [String: String] = [:]
        for table in tables {
            let digest = try await pool.query("""
                SELECT count(*)::text || ' ' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '-') FROM \(schema).\(table) t
                """).scalar
            digests[table] = digest ?? "?"
        }
        return digests
    }
}

/// A small seeded generator, so that a run with the same seed makes the same choices.
struct SplitMix: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in [low, high).
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(next() >> 11) / Double(1 << 53)
    }

    /// An index in 0..<count.
    mutating func index(_ count: Int) -> Int { Int(next() % UInt64(count)) }
}

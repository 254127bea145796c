import PostgresClient
import TestSupport
import Testing

@Suite struct PostgresAutoPipelineTests {
    /// Many concurrent callers on two connections: each gets its own result, a failing
    /// statement fails only its caller, and no more than two sessions are used.
    @Test func concurrentCallersGetTheirOwnResultsAndFailures() async throws {
        let pipeline = PostgresAutoPipeline(conninfo: try await TestServers.freshDatabase(), connections: 2, maximumBatch: 8)
        let outcomes = try await withThrowingTaskGroup(of: (Int, String?, String?).self) { group in
            for n in 0..<300 {
                group.addTask {
                    // Every 7th divides by zero; the others answer with their own number and session.
                    let statement = PostgresStatement("""
                        SELECT (CASE WHEN $1::int % 7 = 0 THEN $1::int / ($1::int % 7) ELSE $1::int * 2 END)::text || ':' || pg_backend_pid()
                        """, [n], preparedName: "double")
                    do {
                        return (n, try await pipeline.run(statement).scalar, nil)
                    } catch let error as PostgresError {
                        return (n, nil, error.sqlState)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count == 300)
        var sessions: Set<Substring> = []
        for (n, value, sqlState) in outcomes {
            if n % 7 == 0 {
                #expect(sqlState == "22012", "\(n): division by zero expected")
            } else {
                let parts = try #require(value?.split(separator: ":"), "\(n): \(String(describing: sqlState))")
                #expect(parts[0] == Substring(String(n * 2)))
                sessions.insert(parts[1])
            }
        }
        #expect(sessions.count <= 2)
        await pipeline.close()
    }

    /// A failing read in a round trip fails alone: the reads PostgreSQL skipped after it are
    /// run again, and the connection goes on working.
    @Test func aFailedReadDoesNotFailTheOthersOfItsRoundTrip() async throws {
        let url = try await TestServers.freshDatabase()
        try await PostgresConnection(conninfo: url).execute("CREATE TABLE seen (n int PRIMARY KEY); INSERT INTO seen VALUES (1), (2)")
        let connection = PostgresConnection(conninfo: url)
        let outcomes = try await connection.pipelineReads([
            PostgresStatement("SELECT count(*)::text FROM seen"),
            PostgresStatement("SELECT (10 / (n - 1))::text FROM seen WHERE n = $1", [1]),  // division by zero when run
            PostgresStatement("SELECT n::text FROM seen WHERE n = $1", [2], preparedName: "seen_n"),
            PostgresStatement("SELECT nonsense FROM nowhere", preparedName: "broken"),  // fails at prepare
            PostgresStatement("SELECT max(n)::text FROM seen"),
        ])
        #expect(outcomes.count == 5)
        #expect(try outcomes[0].get().scalar == "2")
        let failure = #expect(throws: PostgresError.self) { try outcomes[1].get() }
        #expect(failure?.sqlState == "22012")
        #expect(try outcomes[2].get().scalar == "2", "skipped after the failure, then run again")
        #expect(throws: PostgresError.self) { try outcomes[3].get() }
        #expect(try outcomes[4].get().scalar == "2")
        #expect(try await connection.query("SELECT 1").scalar == "1")
    }
}

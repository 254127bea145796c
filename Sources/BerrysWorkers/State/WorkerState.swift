import PostgresClient

/// The schema `worker_state`, where domain workers keep what they need from earlier events.
enum WorkerState {
    /// Creates the schema and runs `ddl` (idempotent `CREATE … IF NOT EXISTS`), serialized by
    /// an advisory lock so that processes starting together do not race on the catalog.
    static func create(on postgres: PostgresPool, _ ddl: String) async throws {
        try await postgres.withTransaction { connection in
            _ = try connection.query("SELECT pg_advisory_xact_lock(hashtext('berrys.worker_state'))")
            try connection.execute("CREATE SCHEMA IF NOT EXISTS worker_state")
            try connection.execute(ddl)
        }
    }
}

import EventLog
import PostgresClient

/// The projection rows of `berrys.projections` and `berrys.checkpoints`, and the `read.*` views.
public struct ProjectionCatalog: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Makes sure the definition's version exists: on first sight creates its schema, tables and
    /// checkpoints; the first version of a projection goes live at once (its views are created).
    /// - Returns: the version's state.
    /// - Throws: `.changedWithoutVersionBump` when the files changed but `version` did not.
    @discardableResult
    public func register(_ definition: ProjectionDefinition, partitions: Int) async throws -> String {
        try await pool.withTransaction { conn in
            try conn.query("SELECT pg_advisory_xact_lock(hashtext('berrys.projection.' || $1))", [definition.name])
            let existing = try conn.query("SELECT checksum, state FROM berrys.projections WHERE name = $1 AND version = $2",
                                          [definition.name, definition.version]).rows.first
            if let existing {
                guard try existing.text("checksum") == definition.checksum else {
                    throw ProjectionError(.changedWithoutVersionBump,
                                          "projection \(definition.name) v\(definition.version) changed (its SQL or manifest) but its version did not: bump \"version\" in projections/\(definition.name)/projection.json to rebuild it side by side")
                }
                return try existing.text("state") ?? "building"
            }
            let schema = try conn.quotedIdentifier(definition.schemaName)
            try conn.execute("CREATE SCHEMA \(schema)")
            try conn.execute("SET LOCAL search_path TO \(schema)")
            try conn.execute(definition.schemaSQL)
            try conn.execute("RESET search_path")
            try conn.query("""
                INSERT INTO berrys.projections (name, version, checksum, state, schema_name) VALUES ($1, $2, $3, 'building', $4)
                """, [definition.name, definition.version, definition.checksum, definition.schemaName])
            for partition in 0..<partitions {
                try conn.query("INSERT INTO berrys.checkpoints (projection, version, partition) VALUES ($1, $2, $3)",
                               [definition.name, definition.version, partition])
            }
            let live = try conn.query("SELECT 1 FROM berrys.projections WHERE name = $1 AND state IN ('live', 'faulted')", [definition.name])
            guard live.values.isEmpty else { return "building" }
            try Self.pointViews(conn, name: definition.name, to: definition.schemaName, from: nil)
            try conn.query("UPDATE berrys.projections SET state = 'live' WHERE name = $1 AND version = $2", [definition.name, definition.version])
            return "live"
        }
    }

    /// The checkpoint of each partition of a version.
    public func checkpoints(_ definition: ProjectionDefinition) async throws -> [Int: StreamID] {
        let rows = try await pool.query("SELECT partition, stream_id FROM berrys.checkpoints WHERE projection = $1 AND version = $2",
                                        [definition.name, definition.version]).rows
        var result: [Int: StreamID] = [:]
        for row in rows {
            if let partition = try row.int("partition"), let id = try row.text("stream_id").flatMap(StreamID.init) { result[partition] = id }
        }
        return result
    }

    /// Records that a handler failed on an event; the projection stops until resumed.
    public func markFaulted(_ definition: ProjectionDefinition, eventID: String, position: Position?, error: String) async throws {
        try await pool.query("""
            UPDATE berrys.projections SET state = 'faulted', error = $3, faulted_event_id = $4, faulted_position = $5
            WHERE name = $1 AND version = $2
            """, [definition.name, definition.version, error, eventID, position?.description])
    }

    /// Re-points every `read.<table>` view of a projection at `schema`, dropping views of
    /// tables the previous version had and this one lacks. Runs inside the caller's transaction.
    static func pointViews(_ conn: isolated PostgresConnection, name: String, to schema: String, from previous: String?) throws {
        let tables = try conn.query("""
            SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1
            """, [schema]).values.compactMap { $0[0] }
        if let previous {
            let old = try conn.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [previous]).values.compactMap { $0[0] }
            for table in old where !tables.contains(table) {
                try conn.execute("DROP VIEW IF EXISTS read.\(try conn.quotedIdentifier(table))")
            }
        }
        for table in tables {
            let quoted = try conn.quotedIdentifier(table)
            try conn.execute("DROP VIEW IF EXISTS read.\(quoted); CREATE VIEW read.\(quoted) AS SELECT * FROM \(try conn.quotedIdentifier(schema)).\(quoted)")
        }
    }
}

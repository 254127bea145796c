import BerrysJSON
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
    public func register(_ definition: ProjectionDefinition, partitions: Int) async throws -> ProjectionState {
        try await pool.withTransaction { conn in
            try conn.query("SELECT pg_advisory_xact_lock(hashtext('berrys.projection.' || $1))", [definition.name])
            let existing = try conn.query("SELECT checksum, state FROM berrys.projections WHERE name = $1 AND version = $2",
                                          [definition.name, definition.version]).rows.first
            if let existing {
                guard try existing.text("checksum") == definition.checksum else {
                    throw ProjectionError(.changedWithoutVersionBump,
                                          "projection \(definition.name) v\(definition.version) changed (its SQL or manifest) but its version did not: bump \"version\" in projections/\(definition.name)/projection.json to rebuild it side by side")
                }
                return ProjectionState(stored: try existing.text("state"))
            }
            let schema = try conn.quotedIdentifier(definition.schemaName)
            try conn.execute("CREATE SCHEMA \(schema)")
            try conn.execute("SET LOCAL search_path TO \(schema)")
            try conn.execute(definition.schemaSQL)
            try conn.execute("RESET search_path")
            try conn.query("""
                INSERT INTO berrys.projections (name, version, checksum, state, schema_name, definition)
                VALUES ($1, $2, $3, 'building', $4, $5::jsonb)
                """, [definition.name, definition.version, definition.checksum, definition.schemaName, definition.stored.serialized])
            for partition in 0..<partitions {
                try conn.query("INSERT INTO berrys.checkpoints (projection, version, partition) VALUES ($1, $2, $3)",
                               [definition.name, definition.version, partition])
            }
            let live = try conn.query("SELECT 1 FROM berrys.projections WHERE name = $1 AND state IN ('live', 'faulted')", [definition.name])
            guard live.values.isEmpty else { return .building }
            try Self.pointViews(conn, to: definition.schemaName, from: nil)
            try conn.query("UPDATE berrys.projections SET state = 'live' WHERE name = $1 AND version = $2", [definition.name, definition.version])
            return .live
        }
    }

    /// The checkpoint of each partition of a version.
    public func checkpoints(_ definition: ProjectionDefinition) async throws -> [Int: StreamID] {
        try await checkpoints(name: definition.name, version: definition.version)
    }

    /// The checkpoint of each partition of a version: the one query for them.
    public func checkpoints(name: String, version: Int) async throws -> [Int: StreamID] {
        try CheckpointQuery.positions(try await pool.query(CheckpointQuery.ofVersion, [name, version]))
    }

    /// The checkpoint of each partition of a projection's live version (empty while none is live).
    public func liveCheckpoints(projection name: String) async throws -> [Int: StreamID] {
        try CheckpointQuery.positions(try await pool.query(CheckpointQuery.ofLiveVersion, [name]))
    }

    /// Records that a handler failed on an event; the projection stops until resumed.
    public func markFaulted(_ definition: ProjectionDefinition, eventID: String?, position: Position?, error: String) async throws {
        try await pool.query("""
            UPDATE berrys.projections SET state = 'faulted', error = $3, faulted_event_id = $4, faulted_position = $5
            WHERE name = $1 AND version = $2
            """, [definition.name, definition.version, error, eventID, position?.description])
    }

    /// The versions that are live (or faulted while live), as the catalog stored them.
    public func liveVersions(names: [String]) async throws -> [ProjectionDefinition] {
        let rows = try await pool.query("""
            SELECT name, version, checksum, definition::text AS definition FROM berrys.projections
            WHERE state = 'live' AND name = ANY($1::text[])
            """, ["{" + names.map { "\"\($0)\"" }.joined(separator: ",") + "}"]).rows
        return try rows.map { row in
            try ProjectionDefinition(name: try row.text("name") ?? "", version: try row.int("version") ?? 0,
                                     checksum: try row.text("checksum") ?? "", stored: JSON(parsing: try row.text("definition") ?? "{}"))
        }
    }

    /// The state of one version, or nil when it is not registered.
    public func state(of definition: ProjectionDefinition) async throws -> ProjectionState? {
        try await pool.query("SELECT state FROM berrys.projections WHERE name = $1 AND version = $2",
                             [definition.name, definition.version]).scalar.map { ProjectionState(stored: $0) }
    }

    /// Makes a built version live in one transaction: its `read.*` views replace the live
    /// version's, which becomes `retired`. Readers never see a missing or half-built table.
    public func switchOver(to definition: ProjectionDefinition) async throws {
        try await pool.withTransaction { conn in
            try conn.query("SELECT pg_advisory_xact_lock(hashtext('berrys.projection.' || $1))", [definition.name])
            let previous = try conn.query("SELECT schema_name FROM berrys.projections WHERE name = $1 AND state IN ('live', 'faulted') AND version <> $2",
                                          [definition.name, definition.version]).scalar
            try Self.pointViews(conn, to: definition.schemaName, from: previous)
            try conn.query("""
                UPDATE berrys.projections SET state = 'retired', finished_at = now()
                WHERE name = $1 AND state IN ('live', 'faulted') AND version <> $2
                """, [definition.name, definition.version])
            try conn.query("UPDATE berrys.projections SET state = 'live', finished_at = now(), error = NULL WHERE name = $1 AND version = $2",
                           [definition.name, definition.version])
        }
    }

    /// Drops the schemas of retired versions; returns what it dropped.
    public func prune() async throws -> [String] {
        try await pool.withTransaction { conn in
            let schemas = try conn.query("SELECT schema_name FROM berrys.projections WHERE state = 'retired'").values.compactMap { $0[0] }
            for schema in schemas { try conn.execute("DROP SCHEMA IF EXISTS \(try conn.quotedIdentifier(schema)) CASCADE") }
            try conn.query("DELETE FROM berrys.projections WHERE state = 'retired'")
            return schemas
        }
    }

    /// Re-points the `read.<table>` views of a projection at `schema`, dropping views of tables
    /// the previous version had and this one lacks. Runs inside the caller's transaction.
    /// `CREATE OR REPLACE VIEW` keeps each view's identity, so concurrent readers just see the
    /// new rows; only a view whose columns changed is dropped and created again.
    static func pointViews(_ conn: isolated PostgresConnection, to schema: String, from previous: String?) throws {
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
            let view = "read.\(try conn.quotedIdentifier(table))"
            let source = "\(try conn.quotedIdentifier(schema)).\(try conn.quotedIdentifier(table))"
            try conn.execute("SAVEPOINT point_view")
            do {
                try conn.execute("CREATE OR REPLACE VIEW \(view) AS SELECT * FROM \(source)")
                try conn.execute("RELEASE SAVEPOINT point_view")
            } catch let error as PostgresError where error.code == .server {
                try conn.execute("ROLLBACK TO SAVEPOINT point_view")
                try conn.execute("DROP VIEW IF EXISTS \(view); CREATE VIEW \(view) AS SELECT * FROM \(source)")
            }
        }
    }
}

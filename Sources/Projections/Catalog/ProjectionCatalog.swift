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
    /// checkpoints; the first version of a projection goes live at once (its views are created),
    /// unless it replaces a projection that serves reads: then it is built side by side first
    /// (`berrys replay`), as a new version would be.
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
                VALUES ($1, $2, $3, \(ProjectionState.building.sql), $4, $5::jsonb)
                """, [definition.name, definition.version, definition.checksum, definition.schemaName, definition.stored.serialized])
            for partition in 0..<partitions {
                try conn.query("INSERT INTO berrys.checkpoints (projection, version, partition) VALUES ($1, $2, $3)",
                               [definition.name, definition.version, partition])
            }
            let serving = try conn.query("SELECT 1 FROM berrys.projections WHERE name = ANY($1::text[]) AND state IN \(ProjectionState.servingSQL)",
                                         [Self.textArray([definition.name] + definition.replaces)])
            guard serving.values.isEmpty else { return .building }
            try conn.query("UPDATE berrys.projections SET state = \(ProjectionState.live.sql) WHERE name = $1 AND version = $2", [definition.name, definition.version])
            try Self.refreshViews(conn, tables: try Self.tables(conn, schemas: [definition.schemaName]))
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
            UPDATE berrys.projections SET state = \(ProjectionState.faulted.sql), error = $3, faulted_event_id = $4, faulted_position = $5
            WHERE name = $1 AND version = $2
            """, [definition.name, definition.version, error, eventID, position?.description])
    }

    /// The versions that are live (or faulted while live), as the catalog stored them.
    public func liveVersions(names: [String]) async throws -> [ProjectionDefinition] {
        let rows = try await pool.query("""
            SELECT name, version, checksum, definition::text AS definition FROM berrys.projections
            WHERE state = \(ProjectionState.live.sql) AND name = ANY($1::text[])
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
    /// version's, which becomes `retired`, and it takes over the tables of the projections it
    /// replaces (retiring each once all of its tables are taken over). Readers never see a
    /// missing or half-built table.
    public func switchOver(to definition: ProjectionDefinition) async throws {
        try await pool.withTransaction { conn in
            try conn.query("SELECT pg_advisory_xact_lock(hashtext('berrys.projection.' || $1))", [definition.name])
            let previous = try conn.query("SELECT schema_name FROM berrys.projections WHERE name = $1 AND state IN \(ProjectionState.servingSQL) AND version <> $2",
                                          [definition.name, definition.version]).values.compactMap { $0[0] }
            let replaced = try conn.query("SELECT schema_name FROM berrys.projections WHERE name = ANY($1::text[]) AND state IN \(ProjectionState.servingSQL)",
                                          [Self.textArray(definition.replaces)]).values.compactMap { $0[0] }
            try conn.query("""
                UPDATE berrys.projections SET state = \(ProjectionState.retired.sql), finished_at = now()
                WHERE name = $1 AND state IN \(ProjectionState.servingSQL) AND version <> $2
                """, [definition.name, definition.version])
            try conn.query("UPDATE berrys.projections SET state = \(ProjectionState.live.sql), finished_at = now(), error = NULL WHERE name = $1 AND version = $2",
                           [definition.name, definition.version])
            try Self.refreshViews(conn, tables: try Self.tables(conn, schemas: [definition.schemaName] + previous + replaced))
        }
    }

    /// Drops the schemas of retired versions; returns what it dropped.
    public func prune() async throws -> [String] {
        try await pool.withTransaction { conn in
            let schemas = try conn.query("SELECT schema_name FROM berrys.projections WHERE state = \(ProjectionState.retired.sql)").values.compactMap { $0[0] }
            for schema in schemas { try conn.execute("DROP SCHEMA IF EXISTS \(try conn.quotedIdentifier(schema)) CASCADE") }
            try conn.query("DELETE FROM berrys.projections WHERE state = \(ProjectionState.retired.sql)")
            return schemas
        }
    }

    /// Sets the `read.<table>` views of `tables` as the versions serving reads give them
    /// (`ViewPlan`), and retires replaced projections whose tables are all taken over. Runs
    /// inside the caller's transaction, after its state changes; one switch-over at a time
    /// changes views (a lock), so two projections sharing a table name do not miss each other.
    /// `CREATE OR REPLACE VIEW` keeps each view's identity, so concurrent readers just see the
    /// new rows; only a view whose columns changed is dropped and created again.
    static func refreshViews(_ conn: isolated PostgresConnection, tables: Set<String>) throws {
        try conn.query("SELECT pg_advisory_xact_lock(hashtext('berrys.read_views'))")
        let rows = try conn.query("""
            SELECT name, schema_name, coalesce(definition->'replaces', '[]'::jsonb)::text AS replaces,
                   coalesce(definition->'reference_data', '[]'::jsonb)::text AS reference FROM berrys.projections
            WHERE state IN \(ProjectionState.servingSQL)
            """).rows
        var serving: [ViewPlan.Serving] = []
        for row in rows {
            guard let name = try row.text("name"), let schema = try row.text("schema_name") else { continue }
            let replaces = (try? JSON(parsing: try row.text("replaces") ?? "[]"))?.arrayValue?.compactMap(\.stringValue) ?? []
            let reference = (try? JSON(parsing: try row.text("reference") ?? "[]"))?.arrayValue?.compactMap(\.stringValue) ?? []
            serving.append(ViewPlan.Serving(projection: name, schema: schema, replaces: replaces, tables: try Self.tables(conn, schemas: [schema]),
                                            referenceTables: Set(reference)))
        }
        let plan = ViewPlan(serving: serving, tables: tables)
        for (table, schemas) in plan.sources.sorted(by: { $0.key < $1.key }) {
            let view = "read.\(try conn.quotedIdentifier(table))"
            guard !schemas.isEmpty else {
                try conn.execute("DROP VIEW IF EXISTS \(view)")
                continue
            }
            let select = try schemas.map { "SELECT * FROM \(try conn.quotedIdentifier($0)).\(try conn.quotedIdentifier(table))" }
                .joined(separator: " UNION ALL ")
            try conn.execute("SAVEPOINT point_view")
            do {
                try conn.execute("CREATE OR REPLACE VIEW \(view) AS \(select)")
                try conn.execute("RELEASE SAVEPOINT point_view")
            } catch let error as PostgresError where error.code == .server {
                try conn.execute("ROLLBACK TO SAVEPOINT point_view")
                try conn.execute("DROP VIEW IF EXISTS \(view); CREATE VIEW \(view) AS \(select)")
            }
        }
        if !plan.retired.isEmpty {
            try conn.query("UPDATE berrys.projections SET state = \(ProjectionState.retired.sql), finished_at = now() WHERE name = ANY($1::text[]) AND state IN \(ProjectionState.servingSQL)",
                           [textArray(plan.retired)])
        }
    }

    /// The base tables of `schemas`.
    static func tables(_ conn: isolated PostgresConnection, schemas: [String]) throws -> Set<String> {
        Set(try conn.query("SELECT table_name FROM information_schema.tables WHERE table_schema = ANY($1::text[]) AND table_type = 'BASE TABLE'",
                           [textArray(schemas)]).values.compactMap { $0[0] })
    }

    /// A PostgreSQL text array literal of `values` (names: no quotes or backslashes in them).
    static func textArray(_ values: [String]) -> String {
        "{" + values.map { "\"\($0)\"" }.joined(separator: ",") + "}"
    }
}

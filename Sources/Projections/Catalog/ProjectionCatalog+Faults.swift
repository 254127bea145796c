import EventLog
import PostgresClient

extension ProjectionCatalog {
    /// Records an explicit skip of the event at `position` for a faulted projection (who and
    /// when); the projector leaves that one event out after `resume`.
    public func skip(name: String, position: Position, by who: String, reason: String?) async throws {
        try await pool.withTransaction { conn in
            let row = try conn.query("SELECT version, faulted_position FROM berrys.projections WHERE name = $1 AND state = \(ProjectionState.faulted.sql)",
                                     [name]).rows.first
            guard let row, let version = try row.int("version") else {
                throw ProjectionError(.unknown, "projection \(name) is not faulted; only the event a projection faulted on can be skipped")
            }
            guard try row.text("faulted_position") == position.description else {
                throw ProjectionError(.unknown, "projection \(name) faulted at \(try row.text("faulted_position") ?? "?"), not at \(position)")
            }
            try conn.query("""
                INSERT INTO berrys.skipped_events (projection, version, position, skipped_by, reason) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT DO NOTHING
                """, [name, version, position.description, who, reason])
        }
    }

    /// Puts a faulted projection back to work: live again (or building, when another version is live).
    public func resume(name: String) async throws {
        try await pool.withTransaction { conn in
            let faulted = try conn.query("SELECT version FROM berrys.projections WHERE name = $1 AND state = \(ProjectionState.faulted.sql)", [name]).scalar
            guard let faulted else { throw ProjectionError(.unknown, "projection \(name) is not faulted") }
            let otherLive = try conn.query("SELECT 1 FROM berrys.projections WHERE name = $1 AND state = \(ProjectionState.live.sql)", [name]).values.isEmpty == false
            try conn.query("""
                UPDATE berrys.projections SET state = $3, error = NULL, faulted_event_id = NULL, faulted_position = NULL
                WHERE name = $1 AND version = $2::int
                """, [name, faulted, (otherLive ? ProjectionState.building : .live).rawValue])
        }
    }

    /// The positions explicitly skipped for a version.
    func skippedPositions(_ definition: ProjectionDefinition) async throws -> Set<Position> {
        Set(try await pool.query("SELECT position FROM berrys.skipped_events WHERE projection = $1 AND version = $2",
                                 [definition.name, definition.version]).values.compactMap { $0[0].flatMap(Position.init) })
    }
}

extension ProjectionCatalog {
    /// For `--rebuild-changed`: a definition whose files changed without a version bump becomes
    /// a new version (one above the highest registered), unless a version with these exact
    /// files exists already; an unchanged definition is returned as it is.
    public func versionForChangedFiles(_ definition: ProjectionDefinition) async throws -> ProjectionDefinition {
        let rows = try await pool.query("SELECT version, checksum FROM berrys.projections WHERE name = $1", [definition.name]).rows
        var versions: [(version: Int, checksum: String)] = []
        for row in rows {
            if let version = try row.int("version"), let checksum = try row.text("checksum") { versions.append((version, checksum)) }
        }
        if let same = versions.first(where: { $0.checksum == definition.checksum }) {
            var existing = definition
            existing.version = same.version
            return existing
        }
        guard versions.contains(where: { $0.version == definition.version }) else { return definition }
        var next = definition
        next.version = (versions.map(\.version).max() ?? definition.version) + 1
        return next
    }
}

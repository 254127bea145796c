import PostgresClient

/// The live projector processes (`berrys.projector_members`), so that each can aim at its
/// fair share of every projection's partitions (`LeasePlan`).
struct ProjectorMembers: Sendable {
    let pool: PostgresPool
    /// This process's name, unique per process.
    let holder: String
    let milliseconds: Int

    /// Refreshes this process's membership and drops expired members.
    /// - Returns: how many projector processes are live, this one included.
    func heartbeat() async throws -> Int {
        let holder = holder, milliseconds = milliseconds
        return try await pool.withTransaction { conn in
            try conn.query("""
                INSERT INTO berrys.projector_members (member, expires_at) VALUES ($1, now() + $2::float8 * interval '1 millisecond')
                ON CONFLICT (member) DO UPDATE SET expires_at = EXCLUDED.expires_at
                """, [holder, milliseconds])
            try conn.query("DELETE FROM berrys.projector_members WHERE expires_at <= now()")
            return max(1, Int(try conn.query("SELECT count(*) FROM berrys.projector_members").scalar ?? "1") ?? 1)
        }
    }

    /// Leaves the membership (at a stop), so that the others take a larger share at once.
    func leave() async throws {
        try await pool.query("DELETE FROM berrys.projector_members WHERE member = $1", [holder])
    }
}

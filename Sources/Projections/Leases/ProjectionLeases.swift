import PostgresClient

/// The PostgreSQL side of one projection version's partition leases.
///
/// A row of `berrys.projection_leases` names the one projector process that applies a
/// partition of the version; it expires unless renewed. Each apply transaction checks it
/// first (`BatchApplier`, `FOR KEY SHARE`): a process that stalled past its lease commits
/// nothing once another may have taken over, and a takeover (which changes `holder`, a key
/// column) waits for a batch in flight, while a renewal (only `expires_at`) does not.
struct ProjectionLeases: Sendable {
    let pool: PostgresPool
    let definition: ProjectionDefinition
    let partitions: Int
    /// This process's name, unique per process.
    let holder: String
    let milliseconds: Int

    /// The partitions whose lease nobody holds.
    func freePartitions() async throws -> Set<Int> {
        let taken = try await pool.query("""
            SELECT partition FROM berrys.projection_leases WHERE projection = $1 AND version = $2 AND expires_at > now()
            """, [definition.name, definition.version]).values.compactMap { $0.first?.flatMap { Int($0) } }
        return Set(0..<partitions).subtracting(taken)
    }

    /// Takes a partition's lease if nobody holds it (or this process already does).
    func acquire(_ partition: Int) async throws -> Bool {
        try await pool.query("""
            INSERT INTO berrys.projection_leases AS lease (projection, version, partition, holder, expires_at)
            VALUES ($1, $2, $3, $4, now() + $5::float8 * interval '1 millisecond')
            ON CONFLICT (projection, version, partition) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
            WHERE lease.expires_at <= now() OR lease.holder = EXCLUDED.holder
            RETURNING partition
            """, [definition.name, definition.version, partition, holder, milliseconds]).values.count == 1
    }

    /// Extends the held leases that have not expired.
    /// - Returns: the partitions of `held` whose lease was lost.
    func renew(_ held: Set<Int>) async throws -> Set<Int> {
        guard !held.isEmpty else { return [] }
        let renewed = try await pool.query("""
            UPDATE berrys.projection_leases SET expires_at = now() + $5::float8 * interval '1 millisecond'
            WHERE projection = $1 AND version = $2 AND holder = $3 AND partition = ANY($4::int[]) AND expires_at > now()
            RETURNING partition
            """, [definition.name, definition.version, holder, Self.array(held), milliseconds])
            .values.compactMap { $0.first?.flatMap { Int($0) } }
        return held.subtracting(renewed)
    }

    /// Gives leases back if this process still holds them, so another takes over at once.
    func release(_ partitions: Set<Int>) async throws {
        guard !partitions.isEmpty else { return }
        try await pool.query("""
            DELETE FROM berrys.projection_leases WHERE projection = $1 AND version = $2 AND holder = $3 AND partition = ANY($4::int[])
            """, [definition.name, definition.version, holder, Self.array(partitions)])
    }

    /// A PostgreSQL array literal of partitions.
    private static func array(_ partitions: Set<Int>) -> String {
        "{" + partitions.sorted().map(String.init).joined(separator: ",") + "}"
    }
}

import PostgresClient

/// The read side: JSON built by PostgreSQL from the `read.*` views, through connections that
/// run as `berrys_reader` (SELECT on schema `read` only; see migration 2). Every value is a
/// bind parameter.
public struct ReadStore: Sendable {
    let pool: PostgresPool

    /// - Parameter conninfo: a `postgres://` URL; the sessions take the role `berrys_reader`.
    public init(conninfo: String, size: Int = 8) {
        pool = PostgresPool(conninfo: Self.readerConninfo(conninfo), size: size)
    }

    /// The URL with `options=-c role=berrys_reader`, so each session starts as that role.
    static func readerConninfo(_ conninfo: String) -> String {
        let option = "options=-c%20role%3Dberrys_reader"
        if conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://") {
            return conninfo + (conninfo.contains("?") ? "&" : "?") + option
        }
        return conninfo + " options='-c role=berrys_reader'"
    }

    /// The single text value of a query that builds JSON, or nil when it returns no row or NULL.
    /// Each distinct query is prepared once per session (named by a hash of its text).
    func json(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> String? {
        let name = "read_" + String(Self.fnv1a64(sql), radix: 16)
        return try await pool.withConnection { try await $0.queryPrepared(name, sql, parameters) }.scalar
    }

    static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// A JSON array of the rows of `select` (`[]` when none).
    func list(_ select: String, _ parameters: [any PostgresEncodable] = []) async throws -> String {
        try await json("SELECT coalesce(json_agg(row_to_json(r)), '[]'::json)::text FROM (\(select)) r", parameters) ?? "[]"
    }

    /// The first row of `select` as a JSON object, or nil.
    func one(_ select: String, _ parameters: [any PostgresEncodable] = []) async throws -> String? {
        try await json("SELECT row_to_json(r)::text FROM (\(select)) r LIMIT 1", parameters)
    }
}

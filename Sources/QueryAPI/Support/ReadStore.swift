import BerrysFoundation
import Foundation
import PostgresClient

/// The read side: JSON built by PostgreSQL from the `read.*` views, through connections that
/// run as `berrys_reader` (SELECT on schema `read` only; see migration 2). Every value is a
/// bind parameter. Reads that wait at the same time share a round trip (auto-pipelining).
public struct ReadStore: Sendable {
    let connections: PostgresAutoPipeline

    /// - Parameters:
    ///   - conninfo: a `postgres://` URL; the sessions take the role `berrys_reader`.
    ///   - size: connections to PostgreSQL (about one per core: concurrent reads share them).
    ///   - statementTimeout: the longest a read may run, in seconds (the request time limit).
    public init(conninfo: String, size: Int, statementTimeout: Double) {
        connections = PostgresAutoPipeline(conninfo: Self.readerConninfo(conninfo, statementTimeout: statementTimeout), connections: size)
    }

    /// A read store for an API with `settings`: one connection per core (concurrent reads share
    /// them; measured with `berrys-bench api`, more backends only add contention on 2 cores),
    /// reads bounded by the request time limit.
    public init(conninfo: String, settings: APISettings) {
        self.init(conninfo: conninfo, size: ProcessInfo.processInfo.activeProcessorCount, statementTimeout: settings.requestTimeout.inSeconds)
    }

    /// The URL with `options=-c role=berrys_reader -c statement_timeout=…`, so each session
    /// starts as that role with that limit.
    static func readerConninfo(_ conninfo: String, statementTimeout: Double) -> String {
        let milliseconds = max(1, Int((statementTimeout * 1000).rounded()))
        if conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://") {
            let option = "options=-c%20role%3Dberrys_reader%20-c%20statement_timeout%3D\(milliseconds)"
            return conninfo + (conninfo.contains("?") ? "&" : "?") + option
        }
        return conninfo + " options='-c role=berrys_reader -c statement_timeout=\(milliseconds)'"
    }

    /// The single text value of a query that builds JSON, or nil when it returns no row or NULL.
    /// Each distinct query is prepared once per session (named by a hash of its text).
    public func json(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> String? {
        try await run(sql, parameters).scalar
    }

    /// Runs `sql`, prepared once per session under a name made from a hash of its text.
    private func run(_ sql: String, _ parameters: [any PostgresEncodable]) async throws -> PostgresResult {
        let name = "read_" + String(FNV1a64.hash(sql), radix: 16)
        return try await connections.run(PostgresStatement(sql, parameters, preparedName: name))
    }

    /// A JSON array of the rows of `select` (`[]` when none).
    public func list(_ select: String, _ parameters: [any PostgresEncodable] = []) async throws -> String {
        try await json("SELECT coalesce(json_agg(row_to_json(r)), '[]'::json)::text FROM (\(select)) r", parameters) ?? "[]"
    }

    /// A keyset page (`{"items": [...], "next_cursor": ...}`) of `select`, which must sort by
    /// its key and fetch `limit + 1` rows.
    /// - Parameters:
    ///   - item: what the page shows of a row `r`, as a JSON expression (the whole row by default).
    ///   - key: the row's sort key as text (the cursor of a next page holds the last one shown).
    public func page(_ select: String, _ parameters: [any PostgresEncodable], limit: Int,
              item: String = "row_to_json(r)", key: String = "r.id::text") async throws -> String {
        let result = try await run("SELECT (\(item))::text, \(key) FROM (\(select)) r", parameters)
        return Page.body(rows: result.values.map { (item: $0[0] ?? "null", key: $0[1] ?? "") }, limit: limit)
    }

    /// The first row of `select` as a JSON object, or nil.
    public func one(_ select: String, _ parameters: [any PostgresEncodable] = []) async throws -> String? {
        try await json("SELECT row_to_json(r)::text FROM (\(select)) r LIMIT 1", parameters)
    }
}

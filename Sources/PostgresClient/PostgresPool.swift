import BerrysFoundation

/// A pool of PostgreSQL connections, lent out through `withConnection`.
public struct PostgresPool: Sendable {
    /// The connection string every connection uses.
    public let conninfo: String
    private let pool: ConnectionPool<PostgresConnection>

    /// Creates a pool; no connection is opened yet.
    /// - Parameters:
    ///   - conninfo: a `postgres://` URL or libpq `key=value` string.
    ///   - size: the most connections at once.
    public init(conninfo: String, size: Int = 4) {
        self.conninfo = conninfo
        self.pool = ConnectionPool(size: size) { PostgresConnection(conninfo: conninfo) }
    }

    /// Lends a connection to `body` and takes it back afterwards.
    public func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await pool.withConnection(body)
    }

    /// Runs one statement on a pooled connection.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> PostgresResult {
        try await withConnection { try await $0.query(sql, parameters) }
    }

    /// Runs `body` in a transaction on one pooled connection.
    public func withTransaction<T: Sendable>(_ body: @Sendable (isolated PostgresConnection) throws -> T) async throws -> T {
        try await withConnection { try await $0.withTransaction(body) }
    }
}

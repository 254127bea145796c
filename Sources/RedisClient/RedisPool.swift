import BerrysFoundation

/// A pool of Redis connections, lent out through `withConnection`.
public struct RedisPool: Sendable {
    /// The configuration every connection uses.
    public let configuration: RedisConfiguration
    private let pool: ConnectionPool<RedisConnection>

    /// Creates a pool; no connection is opened yet.
    /// - Parameters:
    ///   - configuration: where to connect.
    ///   - size: the most connections at once.
    public init(configuration: RedisConfiguration, size: Int = 4) {
        self.configuration = configuration
        self.pool = ConnectionPool(size: size) { RedisConnection(configuration: configuration) }
    }

    /// A new connection with the pool's configuration that is not part of the pool, for a
    /// caller that holds it for long (blocking reads).
    public func makeDedicatedConnection() -> RedisConnection {
        RedisConnection(configuration: configuration)
    }

    /// The most connections this pool opens.
    public var size: Int { pool.size }

    /// Lends a connection to `body` and takes it back afterwards.
    public func withConnection<T: Sendable>(_ body: (RedisConnection) async throws -> T) async throws -> T {
        try await pool.withConnection(body)
    }

    /// Sends one command on a pooled connection.
    @discardableResult
    public func send(_ command: RedisCommand) async throws -> RedisValue {
        try await withConnection { try await $0.send(command) }
    }

    /// Sends one command made of text arguments on a pooled connection.
    @discardableResult
    public func send(_ arguments: String...) async throws -> RedisValue {
        try await send(RedisCommand(arguments))
    }

    /// Pipelines commands on one pooled connection.
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RedisValue] {
        try await withConnection { try await $0.pipeline(commands) }
    }
}

/// An error from the PostgreSQL client.
public struct PostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Hashable {
        /// The server refused the statement (syntax, constraint, …); the connection is usable.
        case server = "POSTGRES_SERVER_ERROR"
        /// The connection broke; it is dropped and reconnected on next use.
        case io = "POSTGRES_IO_ERROR"
        /// No connection could be made.
        case connect = "POSTGRES_CONNECT_FAILED"
        /// The caller used the API wrongly (e.g. a wrong column name).
        case usage = "POSTGRES_USAGE_ERROR"
    }

    /// The kind of failure.
    public var code: Code
    /// What happened.
    public var message: String
    /// The five-character SQLSTATE for server errors, e.g. `23505` for a unique violation.
    public var sqlState: String?
    /// In a pipeline, the index of the statement that failed.
    public var statementIndex: Int?

    /// Creates an error.
    public init(_ code: Code, _ message: String, sqlState: String? = nil, statementIndex: Int? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.statementIndex = statementIndex
    }

    /// True when the failure is about reaching the server, so a retry may succeed.
    public var isConnectionFailure: Bool { code == .io || code == .connect }

    /// True when the same statement may succeed later: the server is unreachable, or it refused
    /// for a passing reason (40001 serialization failure, 40P01 deadlock, 55P03 a lock wait over
    /// `lock_timeout`, 57P01–57P03 shutting down or not accepting connections yet, 53xxx out of
    /// resources, 57014 a statement cancelled or over `statement_timeout`: the fault runner's
    /// timeout storm faulted every projection on it before it counted as transient). The one
    /// definition of "transient" for PostgreSQL, as `RedisError.isTransient` is for Redis.
    public var isTransient: Bool {
        if isConnectionFailure { return true }
        guard code == .server, let state = sqlState else { return false }
        return ["40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03"].contains(state) || state.hasPrefix("53")
    }

    public var description: String {
        "\(code.rawValue)\(sqlState.map { " [\($0)]" } ?? ""): \(message)"
    }
}

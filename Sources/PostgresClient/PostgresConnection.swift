import CLibpq
import BerrysFoundation
import Foundation

/// One connection to PostgreSQL over libpq, confined to its own thread.
///
/// Values only ever travel as bind parameters (`PQexecParams`); results are copied into
/// `PostgresResult` before libpq frees them. A broken connection reconnects on next use.
public actor PostgresConnection {
    let handle: LibpqHandle
    /// The libpq connection string or `postgres://` URL.
    public nonisolated let conninfo: String
    var connection: OpaquePointer? {
        get { handle.connection }
        set { handle.connection = newValue }
    }

    public nonisolated var unownedExecutor: UnownedSerialExecutor { handle.executor.asUnownedSerialExecutor() }

    /// Creates a connection; it connects on first use.
    /// - Parameter conninfo: a `postgres://user@host:port/db` URL or `key=value` string.
    public init(conninfo: String) {
        self.conninfo = conninfo
        self.handle = LibpqHandle(executor: DedicatedThreadExecutor(name: "libpq"))
    }

    /// Runs one statement with bind parameters and returns its rows.
    /// - Throws: `PostgresError` (`.server` with the SQLSTATE, or `.io`/`.connect`).
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> PostgresResult {
        let connection = try connected()
        let texts = parameters.map(\.postgresText)
        let result = texts.withCStringArray { values in
            PQexecParams(connection, sql, Int32(texts.count), nil, values, nil, nil, 0)
        }
        return try consume(result, sql: sql)
    }

    /// Runs one or more statements without parameters (DDL, `BEGIN`, migrations).
    public func execute(_ sql: String) throws {
        let connection = try connected()
        try consume(PQexec(connection, sql), sql: sql)
    }

    /// Runs `body` inside `BEGIN`/`COMMIT`; rolls back when it throws.
    public func withTransaction<T: Sendable>(_ body: @Sendable (isolated PostgresConnection) throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body(self)
            try execute("COMMIT")
            return value
        } catch {
            if connection != nil { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Closes the connection; the next call reconnects.
    public func close() {
        if let connection { PQfinish(connection) }
        connection = nil
    }

    func connected() throws -> OpaquePointer {
        if let connection, PQstatus(connection) == CONNECTION_OK { return connection }
        close()
        guard let made = PQconnectdb(conninfo) else {
            throw PostgresError(.connect, "libpq could not allocate a connection")
        }
        guard PQstatus(made) == CONNECTION_OK else {
            let reason = Self.errorMessage(made)
            PQfinish(made)
            throw PostgresError(.connect, "cannot connect to PostgreSQL (\(Self.redacted(conninfo))): \(reason)")
        }
        // Server notices ("already exists, skipping") are not errors; keep them off stderr.
        PQsetNoticeProcessor(made, { _, _ in }, nil)
        connection = made
        return made
    }

    /// Turns a PGresult into a `PostgresResult` or an error, freeing it either way.
    @discardableResult
    func consume(_ result: OpaquePointer?, sql: String) throws -> PostgresResult {
        guard let result else { throw brokenOrServerError(nil, sql: sql) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            return Self.copy(result)
        default:
            throw brokenOrServerError(result, sql: sql)
        }
    }

    func brokenOrServerError(_ result: OpaquePointer?, sql: String) -> PostgresError {
        let statement = sql.count > 120 ? String(sql.prefix(120)) + "…" : sql
        if let connection, PQstatus(connection) != CONNECTION_OK {
            let reason = Self.errorMessage(connection)
            close()
            return PostgresError(.io, "connection to PostgreSQL lost during '\(statement)': \(reason)")
        }
        guard let result else {
            return PostgresError(.io, connection.map(Self.errorMessage) ?? "no connection")
        }
        let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        return PostgresError(.server, "\(message) (statement: \(statement))", sqlState: state)
    }

    static func copy(_ result: OpaquePointer) -> PostgresResult {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var values: [[String?]] = []
        values.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            values.append((0..<columnCount).map { column in
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
                return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresResult(columns: columns, values: values, affectedRows: affected)
    }

    static func errorMessage(_ connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The connection string without its password, for messages.
    static func redacted(_ conninfo: String) -> String {
        conninfo.replacingOccurrences(of: #":[^:@/]+@"#, with: ":***@", options: .regularExpression)
    }
}

extension Array where Element == String? {
    /// Lends libpq a `const char * const *` over these values, `nil` as NULL.
    func withCStringArray<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        let duplicated: [UnsafeMutablePointer<CChar>?] = map { $0.map { strdup($0) } ?? nil }
        defer { duplicated.forEach { free($0) } }
        let constant = duplicated.map { $0.map { UnsafePointer($0) } }
        return constant.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}

/// Owns a connection's libpq handle and thread, and frees both when the connection goes away.
///
/// `@unchecked Sendable`: `connection` is only read and written by the owning actor, on its
/// executor's thread; `deinit` runs after the last reference (the actor) is gone, so nothing
/// can use the handle concurrently with `PQfinish`.
final class LibpqHandle: @unchecked Sendable {
    let executor: DedicatedThreadExecutor
    var connection: OpaquePointer? {
        didSet { prepared.removeAll() }  // prepared statements belong to one server session
    }
    /// Names of the statements prepared on the current session.
    var prepared: Set<String> = []

    init(executor: DedicatedThreadExecutor) {
        self.executor = executor
    }

    deinit {
        if let connection { PQfinish(connection) }
        executor.shutdown()
    }
}

import CLibpq

/// One statement of a pipeline: SQL and its bind parameters.
public struct PostgresStatement: Sendable {
    public var sql: String
    public var parameters: [any PostgresEncodable]
    /// The parameters' type OIDs (e.g. `PostgresType.jsonb`), or empty to let the server infer them.
    public var types: [UInt32]
    /// When set, the statement is prepared under this name once per connection and then
    /// executed without being parsed and planned again.
    public var preparedName: String?

    /// Creates a statement.
    public init(_ sql: String, _ parameters: [any PostgresEncodable] = [], types: [UInt32] = [], preparedName: String? = nil) {
        self.sql = sql
        self.parameters = parameters
        self.types = types
        self.preparedName = preparedName
    }
}

/// Type OIDs for bind parameters.
public enum PostgresType {
    public static let text: UInt32 = 25
    public static let jsonb: UInt32 = 3802
}

extension PostgresConnection {
    /// Sends many statements in libpq pipeline mode, one round trip per chunk, and returns
    /// their results in order.
    ///
    /// When one statement fails, the ones after it in the same pipeline are not run and the
    /// first error is thrown. Run it inside `withTransaction` for all-or-nothing.
    /// - Parameter chunkSize: statements per synchronisation point (bounds buffered replies).
    public func pipeline(_ statements: [PostgresStatement], chunkSize: Int = 1000) throws -> [PostgresResult] {
        var results: [PostgresResult] = []
        results.reserveCapacity(statements.count)
        var start = 0
        while start < statements.count {
            let chunk = statements[start..<min(start + chunkSize, statements.count)]
            results += try pipelineChunk(chunk)
            start += chunkSize
        }
        return results
    }

    private func pipelineChunk(_ statements: ArraySlice<PostgresStatement>) throws -> [PostgresResult] {
        let connection = try connected()
        for (index, statement) in zip(statements.indices, statements) {
            guard let name = statement.preparedName else { continue }
            do {
                try prepareOnce(statement, name: name, on: connection)
            } catch var error as PostgresError {
                error.statementIndex = index
                throw error
            }
        }
        guard PQenterPipelineMode(connection) == 1 else {
            throw PostgresError(.usage, "cannot enter pipeline mode: \(Self.errorMessage(connection))")
        }
        defer { _ = PQexitPipelineMode(connection) }
        for statement in statements {
            guard send(statement, on: connection) == 1 else { throw brokenOrServerError(nil, sql: statement.sql) }
        }
        guard PQpipelineSync(connection) == 1 else { throw brokenOrServerError(nil, sql: "pipeline sync") }
        return try collectPipelineResults(connection, statements)
    }

    /// Queues one statement of a pipeline (prepared ones by name); 1 when libpq took it.
    func send(_ statement: PostgresStatement, on connection: OpaquePointer) -> Int32 {
        let texts = statement.parameters.map(\.postgresText)
        return texts.withCStringArray { values in
            if let name = statement.preparedName {
                return PQsendQueryPrepared(connection, name, Int32(texts.count), values, nil, nil, 0)
            }
            return statement.types.isEmpty
                ? PQsendQueryParams(connection, statement.sql, Int32(texts.count), nil, values, nil, nil, 0)
                : statement.types.withUnsafeBufferPointer { types in
                    PQsendQueryParams(connection, statement.sql, Int32(texts.count), types.baseAddress, values, nil, nil, 0)
                }
        }
    }

    /// Runs one statement as a named prepared statement (prepared the first time this session
    /// sees the name), so repeated queries skip parsing and planning.
    public func queryPrepared(_ name: String, _ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> PostgresResult {
        let connection = try connected()
        try prepareOnce(PostgresStatement(sql, parameters), name: name, on: connection)
        let texts = parameters.map(\.postgresText)
        let result = texts.withCStringArray { values in
            PQexecPrepared(connection, name, Int32(texts.count), values, nil, nil, 0)
        }
        return try consume(result, sql: sql)
    }

    /// Prepares a named statement the first time this connection sees the name.
    func prepareOnce(_ statement: PostgresStatement, name: String, on connection: OpaquePointer) throws {
        guard !handle.prepared.contains(name) else { return }
        let result = statement.types.withUnsafeBufferPointer { types in
            PQprepare(connection, name, statement.sql, Int32(statement.types.count), statement.types.isEmpty ? nil : types.baseAddress)
        }
        do {
            try consume(result, sql: statement.sql)
        } catch let error as PostgresError where error.sqlState == "42P05" {
            // Already prepared on the server although this connection had not recorded it: a
            // statement timeout can cancel the reply to a Parse the server had already done
            // (the fault runner's timeout storm). Names stand for their SQL, so it is the same one.
        }
        handle.prepared.insert(name)
    }

    private func collectPipelineResults(_ connection: OpaquePointer, _ statements: ArraySlice<PostgresStatement>) throws -> [PostgresResult] {
        var results: [PostgresResult] = []
        var firstError: PostgresError?
        var index = statements.startIndex
        while true {
            guard let result = PQgetResult(connection) else {
                if PQstatus(connection) != CONNECTION_OK { throw brokenOrServerError(nil, sql: "pipeline") }
                continue  // end of one statement's results
            }
            let status = PQresultStatus(result)
            if status == PGRES_PIPELINE_SYNC {
                PQclear(result)
                break
            }
            let sql = index < statements.endIndex ? statements[index].sql : "pipeline"
            index += 1
            if status == PGRES_PIPELINE_ABORTED {
                PQclear(result)
                continue
            }
            do {
                results.append(try consume(result, sql: sql))
            } catch var error as PostgresError {
                if error.code == .io { throw error }
                error.statementIndex = index - 1  // absolute: the chunk is a slice of the whole list
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        return results
    }
}

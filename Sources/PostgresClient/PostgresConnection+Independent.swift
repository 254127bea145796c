import CLibpq

extension PostgresConnection {
    /// Sends statements that do not depend on each other in one round trip (pipeline mode
    /// with a synchronisation point after each, so each runs in its own implicit transaction
    /// and one's failure does not touch the others) and returns each one's outcome in order.
    ///
    /// Keep the batch small (tens): replies are read only after everything is sent.
    /// - Throws: `PostgresError` (`.io`/`.connect`) only when the connection is unusable; a
    ///   failed statement is a `.failure` in the result instead.
    public func pipelineIndependent(_ statements: [PostgresStatement]) throws -> [Result<PostgresResult, PostgresError>] {
        let connection = try connected()
        var outcomes: [Result<PostgresResult, PostgresError>?] = Array(repeating: nil, count: statements.count)
        for (index, statement) in statements.enumerated() {
            guard let name = statement.preparedName else { continue }
            do {
                try prepareOnce(statement, name: name, on: connection)
            } catch let error as PostgresError where error.code == .server {
                outcomes[index] = .failure(error)
            }
        }
        guard PQenterPipelineMode(connection) == 1 else {
            throw PostgresError(.usage, "cannot enter pipeline mode: \(Self.errorMessage(connection))")
        }
        defer { _ = PQexitPipelineMode(connection) }
        for (index, statement) in statements.enumerated() where outcomes[index] == nil {
            guard send(statement, on: connection) == 1, PQpipelineSync(connection) == 1 else {
                throw brokenOrServerError(nil, sql: statement.sql)
            }
        }
        for (index, statement) in statements.enumerated() where outcomes[index] == nil {
            outcomes[index] = try collectSegment(connection, sql: statement.sql)
        }
        return outcomes.map { $0! }
    }

    /// Reads one synchronisation segment's replies: the statement's result, then the sync.
    private func collectSegment(_ connection: OpaquePointer, sql: String) throws -> Result<PostgresResult, PostgresError> {
        var outcome: Result<PostgresResult, PostgresError>?
        while true {
            guard let result = PQgetResult(connection) else {
                if PQstatus(connection) != CONNECTION_OK { throw brokenOrServerError(nil, sql: sql) }
                continue  // the end of the statement's results
            }
            let status = PQresultStatus(result)
            if status == PGRES_PIPELINE_SYNC {
                PQclear(result)
                return outcome ?? .failure(PostgresError(.io, "no result for '\(sql)' before the pipeline's sync point"))
            }
            do {
                let copied = try consume(result, sql: sql)
                outcome = outcome ?? .success(copied)
            } catch let error as PostgresError {
                if error.code == .io { throw error }
                outcome = outcome ?? .failure(error)
            }
        }
    }
}

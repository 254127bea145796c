import CLibpq

extension PostgresConnection {
    /// Sends read-only statements that do not depend on each other in one round trip and
    /// returns each one's outcome in order; one's failure does not fail the others.
    ///
    /// They run in pipeline mode up to a single synchronisation point, i.e. in one implicit
    /// transaction (each still takes its own snapshot under READ COMMITTED). When one fails,
    /// PostgreSQL skips the rest of that transaction; those are then run again one by one.
    /// Statements must not write: a later failure would roll back an earlier write that was
    /// already reported as done. Keep the batch small (tens): replies are read after sending.
    /// - Throws: `PostgresError` (`.io`/`.connect`) only when the connection is unusable; a
    ///   failed statement is a `.failure` in the result instead.
    public func pipelineReads(_ statements: [PostgresStatement]) throws -> [Result<PostgresResult, PostgresError>] {
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
        let sent = statements.indices.filter { outcomes[$0] == nil }
        let skipped = try sendAndCollect(statements, sent, into: &outcomes, on: connection)
        for index in skipped {
            outcomes[index] = try outcome(of: statements[index]) { statement in
                if let name = statement.preparedName { return try queryPrepared(name, statement.sql, statement.parameters) }
                return try query(statement.sql, statement.parameters)
            }
        }
        return outcomes.map { $0! }
    }

    /// Sends `indices` of `statements` with one sync point and records their outcomes; returns
    /// the ones PostgreSQL skipped after a failure.
    private func sendAndCollect(_ statements: [PostgresStatement], _ indices: [Int],
                                into outcomes: inout [Result<PostgresResult, PostgresError>?],
                                on connection: OpaquePointer) throws -> [Int] {
        guard !indices.isEmpty else { return [] }
        guard PQenterPipelineMode(connection) == 1 else {
            throw PostgresError(.usage, "cannot enter pipeline mode: \(Self.errorMessage(connection))")
        }
        defer { _ = PQexitPipelineMode(connection) }
        for index in indices where send(statements[index], on: connection) != 1 {
            throw brokenOrServerError(nil, sql: statements[index].sql)
        }
        guard PQpipelineSync(connection) == 1 else { throw brokenOrServerError(nil, sql: "pipeline sync") }
        var waiting = indices[...]
        var skipped: [Int] = []
        while true {
            guard let result = PQgetResult(connection) else {
                if PQstatus(connection) != CONNECTION_OK { throw brokenOrServerError(nil, sql: "pipeline") }
                continue  // the end of one statement's results
            }
            let status = PQresultStatus(result)
            if status == PGRES_PIPELINE_SYNC {
                PQclear(result)
                return skipped
            }
            guard let index = waiting.popFirst() else {
                PQclear(result)
                continue
            }
            if status == PGRES_PIPELINE_ABORTED {
                PQclear(result)
                skipped.append(index)
                continue
            }
            outcomes[index] = try outcome(of: statements[index]) { try consume(result, sql: $0.sql) }
        }
    }

    /// The result of `run`, with a server error as a `.failure` and an I/O error thrown.
    private func outcome(of statement: PostgresStatement, _ run: (PostgresStatement) throws -> PostgresResult) throws -> Result<PostgresResult, PostgresError> {
        do {
            return .success(try run(statement))
        } catch let error as PostgresError where error.code != .io && error.code != .connect {
            return .failure(error)
        }
    }
}

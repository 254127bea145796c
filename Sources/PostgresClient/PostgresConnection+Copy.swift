import CLibpq

extension PostgresConnection {
    /// Streams `data` to a `COPY … FROM STDIN` statement and returns the rows copied.
    /// - Parameters:
    ///   - sql: the `COPY table (columns) FROM STDIN …` statement.
    ///   - data: the rows in the COPY format the statement names (text or CSV).
    public func copyIn(_ sql: String, data: [UInt8]) throws -> Int {
        let connection = try connected()
        guard let started = PQexec(connection, sql) else { throw brokenOrServerError(nil, sql: sql) }
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            _ = try consume(started, sql: sql)
            throw PostgresError(.usage, "'\(sql)' is not a COPY FROM STDIN statement")
        }
        PQclear(started)
        var offset = 0
        let chunk = 1 << 20
        while offset < data.count {
            let end = min(offset + chunk, data.count)
            let sent = data[offset..<end].withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) }
            }
            guard sent == 1 else { throw brokenOrServerError(nil, sql: sql) }
            offset = end
        }
        guard PQputCopyEnd(connection, nil) == 1 else { throw brokenOrServerError(nil, sql: sql) }
        var copied = 0
        while let result = PQgetResult(connection) {
            copied = try consume(result, sql: sql).affectedRows
        }
        return copied
    }
}

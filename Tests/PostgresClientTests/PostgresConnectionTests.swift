import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite struct PostgresConnectionTests {
    @Test func parametersTravelAsBindValuesNeverAsSQL() async throws {
        let connection = PostgresConnection(conninfo: try await TestServers.freshDatabase())
        try await connection.execute("CREATE TABLE notes (id int PRIMARY KEY, body text, extra text)")
        let hostile = "'); DROP TABLE notes; --"
        try await connection.query("INSERT INTO notes VALUES ($1, $2, $3)", [1, hostile, String?.none])
        let rows = try await connection.query("SELECT id, body, extra FROM notes").rows
        #expect(rows.count == 1)
        #expect(try rows[0].int("id") == 1)
        #expect(try rows[0].text("body") == hostile)
        #expect(try rows[0].text("extra") == nil)
        #expect(throws: PostgresError.self) { try rows[0].text("nope") }
    }

    @Test func serverErrorCarriesSQLStateAndConnectionStaysUsable() async throws {
        let connection = PostgresConnection(conninfo: try await TestServers.freshDatabase())
        try await connection.execute("CREATE TABLE u (id int PRIMARY KEY)")
        try await connection.query("INSERT INTO u VALUES ($1)", [1])
        let error = await #expect(throws: PostgresError.self) { try await connection.query("INSERT INTO u VALUES ($1)", [1]) }
        #expect(error?.code == .server)
        #expect(error?.sqlState == "23505")
        #expect(try await connection.query("SELECT count(*) FROM u").scalar == "1")
    }

    @Test func transactionRollsBackWhenBodyThrows() async throws {
        let connection = PostgresConnection(conninfo: try await TestServers.freshDatabase())
        try await connection.execute("CREATE TABLE t (v int)")
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await connection.withTransaction { conn in
                try conn.query("INSERT INTO t VALUES ($1)", [1])
                throw Boom()
            }
        }
        let committed = try await connection.withTransaction { conn in
            try conn.query("INSERT INTO t VALUES ($1)", [2])
            return try conn.query("SELECT count(*) FROM t").scalar
        }
        #expect(committed == "1")
        #expect(try await connection.query("SELECT v FROM t").values == [["2"]])
    }

    @Test func pipelineRunsManyStatementsInOrder() async throws {
        let connection = PostgresConnection(conninfo: try await TestServers.freshDatabase())
        try await connection.execute("CREATE TABLE p (n int PRIMARY KEY)")
        let inserts = (1...2500).map { PostgresStatement("INSERT INTO p VALUES ($1) RETURNING n", [$0]) }
        let results = try await connection.pipeline(inserts)
        #expect(results.count == 2500)
        #expect(results.last?.scalar == "2500")
        #expect(try await connection.query("SELECT count(*), sum(n) FROM p").values == [["2500", "3126250"]])
    }

    @Test func pipelineStopsAtTheFirstErrorInsideATransaction() async throws {
        let connection = PostgresConnection(conninfo: try await TestServers.freshDatabase())
        try await connection.execute("CREATE TABLE p (n int PRIMARY KEY)")
        let statements = [PostgresStatement("INSERT INTO p VALUES ($1)", [1]),
                          PostgresStatement("INSERT INTO p VALUES ($1)", [1]),
                          PostgresStatement("INSERT INTO p VALUES ($1)", [3])]
        let error = await #expect(throws: PostgresError.self) {
            try await connection.withTransaction { conn in _ = try conn.pipeline(statements) }
        }
        #expect(error?.sqlState == "23505")
        #expect(try await connection.query("SELECT count(*) FROM p").scalar == "0")
    }

    @Test func copyInLoadsRows() async throws {
        let connection = PostgresConnection(conninfo: try await TestServers.freshDatabase())
        try await connection.execute("CREATE TABLE c (n int, label text)")
        let text = (1...10_000).map { "\($0)\tlabel \($0) ü" }.joined(separator: "\n") + "\n"
        let copied = try await connection.copyIn("COPY c (n, label) FROM STDIN", data: Array(text.utf8))
        #expect(copied == 10_000)
        #expect(try await connection.query("SELECT label FROM c WHERE n = $1", [77]).scalar == "label 77 ü")
    }

    @Test func listenReceivesNotifications() async throws {
        let url = try await TestServers.freshDatabase()
        let listener = PostgresConnection(conninfo: url)
        let sender = PostgresConnection(conninfo: url)
        try await listener.listen("berrys.test")
        #expect(try await listener.waitForNotification(timeout: 0.1) == nil)
        try await sender.notify("berrys.test", payload: "hello 🍓")
        let notification = try await listener.waitForNotification(timeout: 30)
        #expect(notification?.channel == "berrys.test")
        #expect(notification?.payload == "hello 🍓")
    }

    @Test func connectFailureIsAConnectErrorWithoutPassword() async throws {
        let connection = PostgresConnection(conninfo: "postgres://someone:secret@127.0.0.1:1/none?connect_timeout=1")
        let error = await #expect(throws: PostgresError.self) { try await connection.query("SELECT 1") }
        #expect(error?.code == .connect)
        #expect(error?.message.contains("secret") == false)
    }

    @Test func poolServesConcurrentQueries() async throws {
        let pool = PostgresPool(conninfo: try await TestServers.freshDatabase(), size: 3)
        try await pool.query("CREATE TABLE k (n int)")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<100 { group.addTask { try await pool.query("INSERT INTO k VALUES ($1)", [n]) } }
            try await group.waitForAll()
        }
        #expect(try await pool.query("SELECT count(DISTINCT n) FROM k").scalar == "100")
    }
}

@Suite struct PostgresReconnectTests {
    /// The server ends the session (as on a restart or failover): the failing call reports an
    /// I/O error, and the next call reconnects by itself.
    @Test func reconnectsAfterTheServerDropsTheSession() async throws {
        let url = try await TestServers.freshDatabase()
        let connection = PostgresConnection(conninfo: url)
        let admin = PostgresConnection(conninfo: url)
        let pid = try await connection.query("SELECT pg_backend_pid()").scalar!
        try await admin.query("SELECT pg_terminate_backend($1::int)", [pid])
        let error = await #expect(throws: PostgresError.self) { try await connection.query("SELECT 1") }
        #expect(error?.isConnectionFailure == true)
        #expect(try await connection.query("SELECT 41 + 1").scalar == "42")
        #expect(try await connection.query("SELECT pg_backend_pid()").scalar != pid)
    }
}

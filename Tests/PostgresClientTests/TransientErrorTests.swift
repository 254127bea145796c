import PostgresClient
import Testing

/// Which PostgreSQL failures are worth the same statement again (`PostgresError.isTransient`):
/// every caller's retry loop relies on this one list.
@Suite struct TransientErrorTests {
    @Test(arguments: ["40001", "40P01", "55P03", "53100", "53200", "57014", "57P01", "57P02", "57P03"])
    func passingServerRefusalsAreTransient(_ state: String) {
        #expect(PostgresError(.server, "refused", sqlState: state).isTransient)
    }

    @Test(arguments: ["23505", "42601", "42P01", "22P02", "XX000"])
    func refusalsOfTheStatementItselfAreNot(_ state: String) {
        #expect(!PostgresError(.server, "refused", sqlState: state).isTransient)
    }

    @Test func lostAndRefusedConnectionsAreTransientAndUsageErrorsAreNot() {
        #expect(PostgresError(.io, "server closed the connection").isTransient)
        #expect(PostgresError(.connect, "connection refused").isTransient)
        #expect(!PostgresError(.usage, "no column named x").isTransient)
        #expect(!PostgresError(.server, "no state").isTransient)
    }
}

import Synchronization

/// Runs read-only statements from many tasks on a few connections, sending the ones that
/// wait at the same time in one pipelined round trip (auto-pipelining, as some Redis clients
/// do): under load, one connection hop, one write and one read serve a whole group of
/// requests, and PostgreSQL runs them back to back in one implicit transaction.
///
/// A caller that finds a connection free leads: it takes what is waiting (up to
/// `maximumBatch`), sends it with its own statement, hands out the results, and passes the
/// connection to the next waiter. A failure stays with its caller (see `pipelineReads`); the
/// statements must not write.
public final class PostgresAutoPipeline: Sendable {
    /// The most statements sent in one round trip.
    public let maximumBatch: Int
    // Mutex, not an actor: the hand-over must not cost a hop of its own.
    private let state: Mutex<State>

    private struct Waiter {
        let statement: PostgresStatement
        let continuation: CheckedContinuation<Turn, Never>
    }

    private enum Turn {
        /// The statement ran in someone else's batch.
        case done(Result<PostgresResult, PostgresError>)
        /// A connection is this caller's to lead the next batch with.
        case lead(PostgresConnection)
    }

    private struct State {
        var idle: [PostgresConnection]
        var waiting: [Waiter] = []
    }

    /// - Parameters:
    ///   - conninfo: a `postgres://` URL or libpq `key=value` string.
    ///   - connections: how many connections (each one leads a batch at a time).
    ///   - maximumBatch: the most statements per round trip.
    public init(conninfo: String, connections: Int, maximumBatch: Int = 32) {
        self.maximumBatch = max(1, maximumBatch)
        state = Mutex(State(idle: (0..<max(1, connections)).map { _ in PostgresConnection(conninfo: conninfo) }))
    }

    /// Runs a read-only `statement`, alone or pipelined with others', and returns its result.
    /// - Throws: `PostgresError` (the statement's own failure, or the connection's).
    public func run(_ statement: PostgresStatement) async throws -> PostgresResult {
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let connection = state.withLock { state -> PostgresConnection? in
                if let connection = state.idle.popLast() { return connection }
                state.waiting.append(Waiter(statement: statement, continuation: continuation))
                return nil
            }
            if let connection { continuation.resume(returning: .lead(connection)) }
        }
        switch turn {
        case .done(let result):
            return try result.get()
        case .lead(let connection):
            return try await lead(with: connection, own: statement).get()
        }
    }

    /// Sends `own` with what is waiting, hands out the results, passes the connection on.
    private func lead(with connection: PostgresConnection, own: PostgresStatement) async -> Result<PostgresResult, PostgresError> {
        let others = state.withLock { state -> [Waiter] in
            let taken = Array(state.waiting.prefix(maximumBatch - 1))
            state.waiting.removeFirst(taken.count)
            return taken
        }
        var outcomes: [Result<PostgresResult, PostgresError>]
        do {
            outcomes = try await connection.pipelineReads([own] + others.map(\.statement))
        } catch {
            let failure = error as? PostgresError ?? PostgresError(.io, "\(error)")
            outcomes = Array(repeating: .failure(failure), count: others.count + 1)
        }
        for (waiter, outcome) in zip(others, outcomes.dropFirst()) { waiter.continuation.resume(returning: .done(outcome)) }
        let next = state.withLock { state -> Waiter? in
            if state.waiting.isEmpty {
                state.idle.append(connection)
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.continuation.resume(returning: .lead(connection))
        return outcomes[0]
    }

    /// Closes the connections that are idle now (a later statement opens them again).
    public func close() async {
        for connection in state.withLock({ $0.idle }) { await connection.close() }
    }
}

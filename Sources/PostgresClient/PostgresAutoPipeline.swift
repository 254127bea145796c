import BerrysFoundation

/// Runs read-only statements from many tasks on a few connections, sending the ones that
/// wait at the same time in one pipelined round trip (auto-pipelining, as some Redis clients
/// do): under load, one write and one read serve a whole group of requests, and PostgreSQL
/// runs them back to back in one implicit transaction.
///
/// Callers queue their statement and wait. A connection that is idle when a statement arrives
/// is woken on its own thread, where it sends what is waiting (up to `maximumBatch`), resumes
/// each caller with its result, and goes on with what arrived meanwhile until nothing waits:
/// a caller's task never moves to the connection's thread and back. A failure stays with its
/// caller (see `pipelineReads`); the statements must not write.
public final class PostgresAutoPipeline: Sendable {
    /// The most statements sent in one round trip.
    public let maximumBatch: Int
    /// The statements waiting, with the idle connections: not an actor, since queueing a
    /// statement must not cost a hop of its own.
    private let waiters: WaiterQueue<PostgresStatement, PostgresResult, [PostgresConnection]>

    typealias Waiter = WaiterQueue<PostgresStatement, PostgresResult, [PostgresConnection]>.Waiter

    /// - Parameters:
    ///   - conninfo: a `postgres://` URL or libpq `key=value` string.
    ///   - connections: how many connections (each sends one batch at a time).
    ///   - maximumBatch: the most statements per round trip.
    public init(conninfo: String, connections: Int, maximumBatch: Int = 32) {
        self.maximumBatch = max(1, maximumBatch)
        waiters = WaiterQueue((0..<max(1, connections)).map { _ in PostgresConnection(conninfo: conninfo) })
    }

    /// Runs a read-only `statement`, alone or pipelined with others', and returns its result.
    /// A caller cancelled before its statement is sent takes it back (`CancellationError`).
    /// - Throws: `PostgresError` (the statement's own failure, or the connection's).
    public func run(_ statement: PostgresStatement) async throws -> PostgresResult {
        try await waiters.wait(with: statement) { idle in
            guard let woken = idle.popLast() else { return .wait }
            return .waitThen { [self] in wake(woken) }
        }
    }

    /// Lets `connection` serve the waiting statements on its own thread until none is left.
    private func wake(_ connection: PostgresConnection) {
        connection.handle.executor.execute { [self] in
            connection.assumeIsolated { connection in
                while let batch = nextBatch(orIdle: connection) { connection.serve(batch) }
            }
        }
    }

    /// Takes up to `maximumBatch` waiting statements, or, when none waits, files `connection`
    /// as idle and returns nil.
    private func nextBatch(orIdle connection: PostgresConnection) -> [Waiter]? {
        let batch = waiters.take(upTo: maximumBatch, whenEmpty: { $0.append(connection) })
        return batch.isEmpty ? nil : batch
    }

    /// Closes the connections that are idle now (a later statement opens them again).
    public func close() async {
        for connection in waiters.withShared({ $0 }) { await connection.close() }
    }
}

extension PostgresConnection {
    /// Sends `batch` in one round trip and resumes each waiter with its outcome.
    func serve(_ batch: [PostgresAutoPipeline.Waiter]) {
        var outcomes: [Result<PostgresResult, PostgresError>]
        do {
            outcomes = try pipelineReads(batch.map(\.payload))
        } catch {
            let failure = error as? PostgresError ?? PostgresError(.io, "\(error)")
            outcomes = Array(repeating: .failure(failure), count: batch.count)
        }
        for (waiter, outcome) in zip(batch, outcomes) {
            switch outcome {
            case .success(let result): waiter.resume(result)
            case .failure(let error): waiter.fail(error)
            }
        }
    }
}

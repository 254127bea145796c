/// A fixed-size pool of connections, lent out through `withConnection`.
///
/// Connections are made lazily up to `size`; callers beyond that wait in FIFO order
/// (`WaiterQueue`), and a waiting caller that is cancelled stops waiting. The connections
/// themselves reconnect when broken, so the pool never discards one.
public final class ConnectionPool<Connection: Sendable>: Sendable {
    private struct Lent: Sendable {
        var idle: [Connection] = []
        var created = 0
    }

    /// The most connections this pool makes.
    public let size: Int
    private let makeConnection: @Sendable () -> Connection
    private let waiters = WaiterQueue<Void, Connection, Lent>(Lent())

    /// Creates a pool; no connection is made yet.
    /// - Parameters:
    ///   - size: the most connections at once (at least 1).
    ///   - makeConnection: makes one new connection.
    public init(size: Int, makeConnection: @escaping @Sendable () -> Connection) {
        self.size = max(1, size)
        self.makeConnection = makeConnection
    }

    /// Lends a connection to `body` and takes it back afterwards, even when `body` throws.
    /// - Throws: `CancellationError` when cancelled while waiting for one; `body`'s error.
    public func withConnection<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> T {
        let connection = try await lease()
        do {
            let result = try await body(connection)
            giveBack(connection)
            return result
        } catch {
            giveBack(connection)
            throw error
        }
    }

    private func lease() async throws -> Connection {
        let size = size, makeConnection = makeConnection
        return try await waiters.wait(with: ()) { lent in
            if let connection = lent.idle.popLast() { return .now(connection) }
            guard lent.created < size else { return .wait }
            lent.created += 1
            return .now(makeConnection())
        }
    }

    private func giveBack(_ connection: Connection) {
        waiters.take(whenEmpty: { $0.idle.append(connection) }).first?.resume(connection)
    }
}

/// A fixed-size pool of connections, lent out through `withConnection`.
///
/// Connections are made lazily up to `size`; callers beyond that wait in FIFO order.
/// The connections themselves reconnect when broken, so the pool never discards one.
public actor ConnectionPool<Connection: Sendable> {
    /// The most connections this pool makes.
    public nonisolated let size: Int
    private let makeConnection: @Sendable () -> Connection
    private var idle: [Connection] = []
    private var created = 0
    private var waiters: [CheckedContinuation<Connection, Never>] = []

    /// Creates a pool; no connection is made yet.
    /// - Parameters:
    ///   - size: the most connections at once (at least 1).
    ///   - makeConnection: makes one new connection.
    public init(size: Int, makeConnection: @escaping @Sendable () -> Connection) {
        self.size = max(1, size)
        self.makeConnection = makeConnection
    }

    /// Lends a connection to `body` and takes it back afterwards, even when `body` throws.
    public nonisolated func withConnection<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> T {
        let connection = await lease()
        do {
            let result = try await body(connection)
            await giveBack(connection)
            return result
        } catch {
            await giveBack(connection)
            throw error
        }
    }

    private func lease() async -> Connection {
        if let connection = idle.popLast() { return connection }
        if created < size {
            created += 1
            return makeConnection()
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    private func giveBack(_ connection: Connection) {
        if waiters.isEmpty {
            idle.append(connection)
        } else {
            waiters.removeFirst().resume(returning: connection)
        }
    }
}

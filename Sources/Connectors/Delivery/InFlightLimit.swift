import BerrysFoundation

/// At most `limit` deliveries of one connector on their way at once in this process (its
/// `max_in_flight`), over all the partitions it holds; the others wait their turn, in order
/// (`WaiterQueue`).
final class InFlightLimit: Sendable {
    private let limit: Int
    /// The deliveries on their way.
    private let waiters = WaiterQueue<Void, Void, Int>(0)

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Runs `body` once a slot is free.
    /// - Throws: `CancellationError` when cancelled while waiting; `body`'s error.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let limit = limit
        try await waiters.wait(with: ()) { inFlight in
            guard inFlight < limit else { return .wait }
            inFlight += 1
            return .now(())
        }
        defer { release() }
        return try await body()
    }

    /// Hands the slot to the first waiter, or frees it.
    private func release() {
        waiters.take(whenEmpty: { $0 -= 1 }).first?.resume(())
    }
}

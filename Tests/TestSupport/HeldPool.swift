import PostgresClient

/// Runs `body` while the only connection of `pool` (a pool of size 1) is held by another task,
/// as slow work holds a busy process's pool; gives it back afterwards, also when `body` throws.
public func whileHoldingTheOnlyConnection<T>(of pool: PostgresPool, _ body: () async throws -> T) async throws -> T {
    let released = AsyncStream<Void>.makeStream(), acquired = AsyncStream<Void>.makeStream()
    let holding = Task {
        try await pool.withConnection { _ in
            acquired.continuation.yield()
            for await _ in released.stream { break }
        }
    }
    for await _ in acquired.stream { break }
    return try await doing(body, finally: {
        released.continuation.finish()
        _ = try? await holding.value
    })
}

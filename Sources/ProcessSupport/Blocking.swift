import Foundation

/// Blocking work (waiting for a child process, initdb, a sleep in C) on a thread of its own, so
/// that the cooperative pool's threads — two on a 2-core machine — stay free for async work.
public enum Blocking {
    /// Runs `body` on a new thread and returns (or throws) what it does.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// Runs `body` on a new thread and returns what it does.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }
}

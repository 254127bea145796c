import Foundation

/// Runs an operation again after retryable failures, sleeping by a `Backoff`, until a deadline.
public struct RetryLoop: Sendable {
    /// The delays between attempts.
    public var backoff: Backoff
    /// How long, in seconds, to keep trying before the last error is thrown.
    public var timeout: Double

    /// Creates a retry loop.
    public init(backoff: Backoff = Backoff(), timeout: Double) {
        self.backoff = backoff
        self.timeout = timeout
    }

    /// Calls `operation` until it succeeds, fails with an error `isRetryable` refuses, or time runs out.
    /// - Parameters:
    ///   - isRetryable: decides which errors are worth another attempt.
    ///   - onRetry: told of each failed attempt and the delay before the next.
    /// - Throws: the last error of `operation`, or `CancellationError`.
    public func run<T: Sendable>(
        isRetryable: (any Error) -> Bool,
        onRetry: (any Error, Double) -> Void = { _, _ in },
        _ operation: () async throws -> T
    ) async throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        var attempt = 0
        while true {
            do {
                return try await operation()
            } catch {
                let delay = backoff.delay(attempt: attempt)
                guard isRetryable(error), Date().addingTimeInterval(delay) < deadline else { throw error }
                onRetry(error, delay)
                try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
                attempt += 1
            }
        }
    }
}

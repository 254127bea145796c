import Foundation

/// Runs an operation again after retryable failures, sleeping by a `Backoff` between attempts:
/// the one restart-with-backoff loop of the project, for a publish waiting out a Redis restart
/// as for a consumer, a lease loop or a listener starting over after an outage.
public struct RetryLoop: Sendable {
    /// How long a loop keeps trying before the last error is thrown.
    public enum Budget: Sendable, Hashable {
        /// Until this many seconds have passed since the first attempt.
        case seconds(Double)
        /// At most this many attempts in all.
        case attempts(Int)
        /// For as long as the errors are retryable (and the task is not cancelled).
        case unlimited
    }

    /// The delays between attempts.
    public var backoff: Backoff
    /// When to give up.
    public var budget: Budget

    /// A loop that gives up after `budget`.
    public init(backoff: Backoff = .serverDown, budget: Budget) {
        self.backoff = backoff
        self.budget = budget
    }

    /// A loop that keeps trying for `timeout` seconds.
    public init(backoff: Backoff = .serverDown, timeout: Double) {
        self.init(backoff: backoff, budget: .seconds(timeout))
    }

    /// Calls `operation` until it succeeds, fails with an error `isRetryable` refuses, or the
    /// budget runs out.
    /// - Parameters:
    ///   - isRetryable: decides which errors are worth another attempt (asked after each failure,
    ///     so it may also say that the caller is stopping).
    ///   - onRetry: told of each failed attempt and the delay before the next.
    /// - Throws: the last error of `operation`, or `CancellationError` when cancelled while waiting.
    public func run<T: Sendable>(
        isRetryable: (any Error) -> Bool,
        onRetry: (any Error, Double) -> Void = { _, _ in },
        _ operation: () async throws -> T
    ) async throws -> T {
        let started = Date()
        var attempt = 0
        while true {
            do {
                return try await operation()
            } catch {
                attempt += 1
                let delay = backoff.delay(attempt: attempt - 1)
                guard isRetryable(error), allows(another: attempt, after: delay, since: started) else { throw error }
                onRetry(error, delay)
                try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
            }
        }
    }

    /// Whether a next attempt fits the budget, `attempts` having failed.
    private func allows(another attempts: Int, after delay: Double, since started: Date) -> Bool {
        switch budget {
        case .seconds(let seconds): Date().addingTimeInterval(delay) < started.addingTimeInterval(seconds)
        case .attempts(let limit): attempts < limit
        case .unlimited: true
        }
    }
}

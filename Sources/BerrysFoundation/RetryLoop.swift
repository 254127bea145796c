/// Runs an operation again after retryable failures, sleeping by a `Backoff` between attempts:
/// the one restart-with-backoff loop of the project, for a publish waiting out a Redis restart
/// as for a consumer, a lease loop, a listener starting over after an outage or a command a
/// Redis Cluster redirected.
public struct RetryLoop: Sendable {
    /// How long a loop keeps trying before the last error is thrown.
    public enum Budget: Sendable, Hashable {
        /// Until this much time has passed since the first attempt.
        case time(Duration)
        /// At most this many attempts in all.
        case attempts(Int)
        /// For as long as the errors are retryable (and the task is not cancelled).
        case unlimited
    }

    /// What to do after a failed attempt.
    public enum Retry: Sendable, Hashable {
        /// Throw the error.
        case stop
        /// Try again after the backoff's next delay.
        case afterBackoff
        /// Try again at once (a cluster's `MOVED`: the next attempt goes elsewhere). Counts
        /// against an `attempts` budget like any other.
        case atOnce
    }

    /// The delays between attempts.
    public var backoff: Backoff
    /// When to give up.
    public var budget: Budget
    /// The clock the delays and the time budget are read from.
    public var clock: BerrysClock

    /// A loop that gives up after `budget`.
    public init(backoff: Backoff = .serverDown, budget: Budget, clock: BerrysClock) {
        self.backoff = backoff
        self.budget = budget
        self.clock = clock
    }

    /// A loop that keeps trying for `timeout`.
    public init(backoff: Backoff = .serverDown, timeout: Duration, clock: BerrysClock) {
        self.init(backoff: backoff, budget: .time(timeout), clock: clock)
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
        onRetry: (any Error, Duration) -> Void = { _, _ in },
        _ operation: () async throws -> T
    ) async throws -> T {
        try await run(deciding: { isRetryable($0) ? .afterBackoff : .stop }, onRetry: onRetry, operation)
    }

    /// Calls `operation` until it succeeds, `decide` says stop, or the budget runs out.
    /// - Parameters:
    ///   - decide: what to do after each failure.
    ///   - onRetry: told of each failed attempt and the delay before the next.
    /// - Throws: the last error of `operation`, or `CancellationError` when cancelled while waiting.
    public func run<T: Sendable>(
        deciding decide: (any Error) -> Retry,
        onRetry: (any Error, Duration) -> Void = { _, _ in },
        _ operation: () async throws -> T
    ) async throws -> T {
        let started = clock.now
        var attempt = 0
        while true {
            do {
                return try await operation()
            } catch {
                attempt += 1
                let retry = decide(error)
                let delay = retry == .atOnce ? .zero : backoff.delay(attempt: attempt - 1)
                guard retry != .stop, allows(another: attempt, after: delay, since: started) else { throw error }
                onRetry(error, delay)
                if delay > .zero { try await clock.sleep(for: delay) }
            }
        }
    }

    /// Whether a next attempt fits the budget, `attempts` having failed.
    private func allows(another attempts: Int, after delay: Duration, since started: BerrysClock.Instant) -> Bool {
        switch budget {
        case .time(let limit): started.duration(to: clock.now) + delay < limit
        case .attempts(let limit): attempts < limit
        case .unlimited: true
        }
    }
}

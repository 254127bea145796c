import BerrysFoundation

/// The time by which the current request must be answered, set by `TimeoutMiddleware` for
/// the request's task; every wait inside a request (consistency waits, SQL statements) ends by
/// then with 503 `request_timeout`.
///
/// A deadline that travels with the request costs nothing while nothing waits; a timer task per
/// request cost a third of the server's throughput.
struct RequestDeadline: Sendable {
    @TaskLocal static var current: RequestDeadline?

    let instant: ContinuousClock.Instant
    /// The request time limit, in seconds, for the error message.
    let limit: Double

    /// Seconds left (never negative).
    var remaining: Double {
        let left = instant - ContinuousClock.now
        return max(0, left.inSeconds)
    }

    var error: APIError {
        APIError(.serviceUnavailable, code: "request_timeout", "the request took longer than \(Int(limit * 1000)) ms")
    }
}

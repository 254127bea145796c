import BerrysFoundation

/// The time by which the current request must be answered, set by `TimeoutMiddleware` for
/// the request's task; every wait inside a request (consistency waits, SQL statements) ends by
/// then with 503 `request_timeout`.
///
/// A deadline that travels with the request costs nothing while nothing waits; a timer task per
/// request cost a third of the server's throughput.
struct RequestDeadline: Sendable {
    @TaskLocal static var current: RequestDeadline?

    let instant: BerrysClock.Instant
    /// The request time limit, for the error message.
    let limit: Duration
    let clock: BerrysClock

    /// The time left (never negative).
    var remaining: Duration {
        max(.zero, clock.now.duration(to: instant))
    }

    var error: APIError {
        APIError(.serviceUnavailable, code: "request_timeout", "the request took longer than \(Int(limit.inSeconds * 1000)) ms")
    }
}

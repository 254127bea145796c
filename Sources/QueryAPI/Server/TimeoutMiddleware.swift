import BerrysFoundation
import Hummingbird

/// Gives each request a deadline (`RequestDeadline`): waits inside it end there with 503
/// `request_timeout`, and SQL statements are bounded by the read sessions' `statement_timeout`.
struct TimeoutMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Duration
    let clock: BerrysClock

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let deadline = RequestDeadline(instant: clock.now + limit, limit: limit, clock: clock)
        return try await RequestDeadline.$current.withValue(deadline) { try await next(request, context) }
    }
}

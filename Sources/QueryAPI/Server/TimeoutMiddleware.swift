import Hummingbird

/// Answers 503 `request_timeout` when a request takes longer than the limit (the handler is
/// cancelled); consistency waits are bounded separately and should stay below it.
struct TimeoutMiddleware<Context: RequestContext>: RouterMiddleware {
    let seconds: Double

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await withoutActuallyEscaping(next) { next in
            // Safe: the responder chain is called exactly once, in the child task, while this task
            // only waits for the group; nothing else touches it concurrently.
            nonisolated(unsafe) let respond = next
            return try await withThrowingTaskGroup(of: Response.self) { group in
                group.addTask { try await respond(request, context) }
                group.addTask {
                    try await Task.sleep(for: .seconds(seconds))
                    throw APIError(.serviceUnavailable, code: "request_timeout", "the request took longer than \(Int(seconds * 1000)) ms")
                }
                defer { group.cancelAll() }
                guard let response = try await group.next() else { throw CancellationError() }
                return response
            }
        }
    }
}

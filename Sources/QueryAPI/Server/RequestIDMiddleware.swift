import BerrysFoundation
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Echoes `X-Request-ID` (or makes one), puts it in the logger's metadata, and writes one
/// structured access-log line per request.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    static var header: HTTPField.Name { HTTPField.Name("X-Request-ID")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let given = request.headers[Self.header].flatMap { $0.count <= 128 && !$0.isEmpty ? $0 : nil }
        let id = given ?? RandomUUID.make()
        var context = context
        context.logger[metadataKey: "request_id"] = "\(id)"
        let started = ContinuousClock.now
        var response = try await next(request, context)
        response.headers[Self.header] = id
        let elapsed = ContinuousClock.now - started
        let milliseconds = elapsed.inSeconds * 1000
        context.logger.info("\(request.method) \(request.uri.path) \(response.status.code)", metadata: [
            "status": "\(response.status.code)", "duration_ms": "\(String(format: "%.2f", milliseconds))",
        ])
        return response
    }
}

import HTTPTypes
import Hummingbird
import ServiceLifecycle
import Subscriptions

/// `GET /v1/stream`: the log as server-sent events, filtered on the server and resumable
/// (see `Subscription`; the format is in the README and the OpenAPI document).
struct StreamRoutes {
    let dependencies: APIDependencies

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/stream") { request, context in try await stream(request, context) }
    }

    private func stream(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let query = QueryParameters(request, context)
        let types = try request.uri.queryParameters.getAll("type").map { try QueryParameters.checkedLength(String($0), name: "type", maxLength: 200) }
        let filter: StreamFilter
        do {
            filter = try StreamFilter(types: types, subject: try query.string("subject"), partitionKey: try query.string("partitionkey"),
                                      source: try query.string("source"))
        } catch let error as StreamFilterError {
            throw APIError.badParameter("type", error.description)
        }
        let lastEventID = request.headers[HTTPField.Name("Last-Event-ID")!]
        let start: Subscription.Start
        do {
            start = try Subscription.start(from: try query.string("from", maxLength: 2000), lastEventID: lastEventID,
                                           partitions: dependencies.log.partitioner.partitions)
        } catch let error as ResumeTokenError {
            throw APIError.badParameter(lastEventID == nil ? "from" : "Last-Event-ID", error.description)
        }
        let hub = dependencies.stream
        do {
            try await hub.waitUntilStarted(timeout: .seconds(5))
        } catch let error as StreamUnavailable {
            throw APIError(.serviceUnavailable, code: "stream_unavailable", error.description)
        }
        let subscription = Subscription(hub: hub, filter: filter, start: start)
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            // The client going away ends the stream through a failed write. A graceful shutdown
            // ends it at once: the server waits for open requests before the hub stops, and
            // clients reconnect (to another instance) with their Last-Event-ID.
            try? await withGracefulShutdownHandler {
                try await subscription.run { text in try await writer.write(ByteBuffer(string: text)) }
            } onGracefulShutdown: {
                hub.close()
            }
            try? await writer.finish(nil)
        })
    }
}

import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A real HTTP receiver for connector tests: records every request it gets and answers as its
/// script says (accept, fail with a status, answer 429 with `Retry-After`, refuse some event ids
/// with 400, or answer slowly).
public actor WebhookReceiver {
    /// One request as received.
    public struct Request: Sendable {
        public let headers: [String: String]
        public let body: [UInt8]
        public let receivedAt: Date
        /// The status it was answered with.
        public let status: Int
        /// `ce-id` (binary mode) or the body's `id` (structured mode).
        public var eventID: String? { headers["ce-id"] }
    }

    /// How it answers.
    public enum Script: Sendable {
        case accept
        /// Every request gets this status (say 503).
        case fail(status: Int)
        /// 429 with `Retry-After: seconds`.
        case throttle(retryAfterSeconds: Int)
    }

    public private(set) var requests: [Request] = []
    private var script = Script.accept
    /// Event ids answered with 400 whatever the script.
    private var refused: Set<String> = []
    private var delay: Duration = .zero
    /// The port it listens on (127.0.0.1), once it does.
    public private(set) var port = 0

    /// Runs `body` while a receiver listens on a free loopback port; stops it after, also when `body` throws.
    public static func with<T: Sendable>(_ body: (WebhookReceiver) async throws -> T) async throws -> T {
        let receiver = WebhookReceiver()
        let started = AsyncStream<Int>.makeStream()
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 4 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            return await receiver.answer(headers: headers, body: Array(bytes.readableBytesView))
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                      onServerRunning: { channel in started.continuation.yield(channel.localAddress?.port ?? 0) },
                                      logger: RunningServices.quietLogger)
        return try await withServices([application]) {
            var ports = started.stream.makeAsyncIterator()
            await receiver.listening(on: await ports.next() ?? 0)
            return try await body(receiver)
        }
    }

    /// The URL connectors deliver to.
    public var url: String { "http://127.0.0.1:\(port)/hook" }

    public func set(_ script: Script) { self.script = script }
    public func refuse(_ ids: Set<String>) { refused = ids }
    public func answer(after delay: Duration) { self.delay = delay }

    /// Requests answered 2xx.
    public var accepted: [Request] { requests.filter { (200..<300).contains($0.status) } }

    private func listening(on port: Int) { self.port = port }

    private func answer(headers: [String: String], body: [UInt8]) async -> Response {
        if delay > .zero { try? await Task.sleep(for: delay) }  // a slow receiver, when a test asks for one
        let id = headers["ce-id"] ?? ""
        var status = HTTPResponse.Status.ok
        var fields = HTTPFields()
        var text = ""
        if refused.contains(id) {
            status = .badRequest
            text = "{\"error\":\"no such recipient for \(id)\"}"
        } else {
            switch script {
            case .accept: break
            case .fail(let code): status = HTTPResponse.Status(code: code)
            case .throttle(let seconds):
                status = .tooManyRequests
                fields[.retryAfter] = String(seconds)
            }
        }
        requests.append(Request(headers: headers, body: body, receivedAt: Date(), status: status.code))
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

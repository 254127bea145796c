import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A webhook receiver for `berrys-bench connectors` that answers 204 at once and notes when
/// each event id arrived (ms since 1970), on a free loopback port.
final class BenchReceiver: Sendable {
    // Mutex: requests arrive on NIO's event loops.
    private let arrivals = Mutex<[String: Double]>([:])
    private let received = Atomic<Int>(0)

    var count: Int { received.load(ordering: .relaxed) }
    func arrival(of id: String) -> Double? { arrivals.withLock { $0[id] } }

    /// Runs `body` while the receiver listens; the URL to deliver to is passed in.
    func serve<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/hook") { [self] request, _ -> Response in
            let now = Date().timeIntervalSince1970 * 1000
            if let id = request.headers[HTTPField.Name("ce-id")!] { arrivals.withLock { $0[id] = now } }
            received.add(1, ordering: .relaxed)
            return Response(status: .noContent)
        }
        var logger = Logger(label: "berrys.bench.receiver")
        logger.logLevel = .warning
        let ports = AsyncStream<Int>.makeStream()
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                      onServerRunning: { ports.continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        return try await withBenchServices([application]) {
            var iterator = ports.stream.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            return try await body("http://127.0.0.1:\(port)/hook")
        }
    }
}

import AsyncHTTPClient
import BerrysFoundation
import Foundation
import Logging
import RedisClient
import ServiceLifecycle
import Workers

/// A process's connectors: one `WebhookWorker` per definition, run by the process's
/// `WorkerRuntime` beside the other workers, and the HTTP client they share.
///
/// As a `Service`, it shuts the client down once the process stops; list it before the
/// worker runtime in the service group, so that it stops after the runtime (a group stops
/// its services last to first).
public struct ConnectorSet: Service {
    /// The connectors' workers, for the worker runtime.
    public let workers: [WebhookWorker]
    private let client: HTTPClient

    /// - Parameters:
    ///   - consumer: this process's consumer name (its breaker reports are filed under it).
    ///   - namespace: the log's, for the breaker reports.
    ///   - clock: the process's clock (the breakers' timeouts).
    public init(definitions: [ConnectorDefinition], knownTypes: Set<String>, redis: RedisPool, namespace: String,
                consumer: String, clock: BerrysClock, logger: Logger) {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool = .init(idleTimeout: .seconds(60),
                                             concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, definitions.map(\.maxInFlight).max() ?? 8))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.client = client
        workers = definitions.map { definition in
            WebhookWorker(connector: definition, knownTypes: knownTypes, client: client, consumer: consumer, clock: clock) { status in
                do {
                    try await status.write(namespace: namespace, worker: definition.workerName, redis: redis)
                } catch {
                    logger.warning("connector \(definition.name): breaker \(status.state.rawValue) not reported to Redis: \(error)")
                }
                if status.state != .closed || status.consecutiveFailures == 0 {
                    logger.notice("connector \(definition.name): circuit \(status.state.rawValue)")
                }
            }
        }
    }

    /// Waits for the process to stop, then shuts the HTTP client down.
    public func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// Shuts the HTTP client down (for a set used outside a service group, say in a test).
    public func shutdown() async throws {
        try await client.shutdown()
    }
}

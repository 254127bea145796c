import Hummingbird
import Logging
import Prometheus

/// A server with only `GET /metrics` (and liveness), for processes without the API, e.g.
/// `berrys worker --metrics-port`.
public enum MetricsServer {
    /// The application, to run in a `ServiceGroup`.
    public static func application(registry: PrometheusCollectorRegistry, host: String, port: Int,
                                   logger: Logger = Logger(label: "berrys.metrics")) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/health/liveness") { _, _ in JSONResponse.make(#"{"status":"up"}"#) }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "berrys-metrics"),
                           logger: logger)
    }
}

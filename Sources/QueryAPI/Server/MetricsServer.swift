import Hummingbird
import Logging
import Prometheus

/// A server with only `GET /metrics`, liveness and readiness, for processes without the API,
/// e.g. `berrys worker --metrics-port`.
public enum MetricsServer {
    /// The application, to run in a `ServiceGroup`.
    /// - Parameter readiness: the named checks behind `GET /health/readiness` (200 when all
    ///   pass, 503 naming the failures).
    public static func application(registry: PrometheusCollectorRegistry, host: String, port: Int,
                                   readiness: [(name: String, check: ReadinessReport.Check)] = [],
                                   logger: Logger = Logger(label: "berrys.metrics")) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/health/liveness") { _, _ in JSONResponse.make(#"{"status":"up"}"#) }
        router.get("/health/readiness") { _, _ in
            var report = ReadinessReport()
            for (name, check) in readiness { await report.check(name, check) }
            return report.response
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "berrys-metrics"),
                           logger: logger)
    }
}

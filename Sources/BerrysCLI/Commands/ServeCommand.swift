import BerrysPlatform
import CommandSupport
import ArgumentParser
import Logging
import Metrics
import Prometheus
import Projections
import QueryAPI
import ServiceLifecycle

struct ServeCommand: LongRunningCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP query API alone (BERRYS_HTTP_HOST:BERRYS_HTTP_PORT; SIGTERM stops it gracefully).",
        discussion: "Reads come from the read.* views as the role berrys_reader; see berrys run for API + projector + workers.")

    func run() async throws {
        try await reportingFailures { try await ServiceRun.run(loggerLabel: "berrys.api") {
            let context = try Context(domain: .berrys, redisPoolSize: 16)
            let metrics = APIMetrics.bootstrap()
            let admin = context.postgres(size: 8)
            _ = try await admin.withConnection { try await Migrations.run(on: $0) }
            let log = try await context.openLog(create: true, source: "berrys-api")
            let logger = Logger(label: "berrys.api")
            let api = context.apiService(log: log, admin: admin, metrics: metrics, listening: ListeningSignal(), logger: logger)
            logger.info("serving on http://\(context.settings.api.host):\(context.settings.api.port)")
            return [api]
        } }
    }
}

/// Prometheus as the process's swift-metrics backend, once.
enum APIMetrics {
    static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}

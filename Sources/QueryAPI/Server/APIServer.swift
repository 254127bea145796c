import Hummingbird
import Logging
import Prometheus

/// The HTTP query API: routes, middleware, and the Hummingbird application (a `Service`).
///
/// The engine's routes (publish, event history, operations) are its own; a domain's read
/// models come in as `APIRoutes` (the Berrys platform's: `BerrysRoutes` in `BerrysAPI`).
public enum APIServer {
    /// The router with every route and middleware (also used by in-process tests).
    /// - Parameter domain: the domain's routes, behind the same middleware as the engine's.
    public static func router(_ dependencies: APIDependencies, metrics: PrometheusCollectorRegistry? = nil,
                              domain: [any APIRoutes] = []) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: TimeoutMiddleware(limit: dependencies.settings.requestTimeout, clock: dependencies.log.clock))
        if let tokens = dependencies.settings.tokens { router.add(middleware: AuthMiddleware(tokens: tokens)) }
        let document = OpenAPIDocument(mergingIn: domain.compactMap(\.openAPIFragment))
        router.add(middleware: KnownQueryParameters(parameters: KnownQueryParameters<BasicRequestContext>.parameters(of: document.json)))
        for routes in domain { routes.register(on: router) }
        EventRoutes(dependencies: dependencies).register(on: router)
        PublishRoutes(dependencies: dependencies).register(on: router)
        StreamRoutes(dependencies: dependencies).register(on: router)
        LogRoutes(dependencies: dependencies).register(on: router)
        SchemaRoutes(dependencies: dependencies).register(on: router)
        DeadLetterRoutes(dependencies: dependencies).register(on: router)
        ScheduleRoutes(dependencies: dependencies).register(on: router)
        ConsoleRoutes(domains: domain.compactMap(\.consolePages)).register(on: router)
        OperationsRoutes(dependencies: dependencies, metrics: metrics, openAPI: document.text).register(on: router)
        return router
    }

    /// The application, to run in a `ServiceGroup` (graceful shutdown on SIGTERM).
    /// - Parameter listening: opened once the server listens.
    public static func application(_ dependencies: APIDependencies, metrics: PrometheusCollectorRegistry? = nil,
                                   domain: [any APIRoutes] = [], listening: ListeningSignal? = nil,
                                   logger: Logger = Logger(label: "berrys.api")) -> some ApplicationProtocol {
        Application(router: router(dependencies, metrics: metrics, domain: domain),
                    configuration: .init(address: .hostname(dependencies.settings.host, port: dependencies.settings.port),
                                         serverName: "berrys"),
                    services: [dependencies.checkpoints, dependencies.stream],
                    onServerRunning: { _ in listening?.open() },
                    logger: logger)
    }
}

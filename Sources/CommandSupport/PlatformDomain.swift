import EventLog
import QueryAPI
import Workers

/// What the engine's commands need of a platform's domain, handed in by the executable: its
/// schemas, its conventions (subject and partition key per type), the reference data its
/// projections may use, its read-model routes and its consumer workers. The engine (this module, `EventLog`,
/// `Projections`, `QueryAPI`) names no domain of its own.
public struct PlatformDomain: Sendable {
    /// Loads the domain's schema registry (with its upcasters).
    public var registry: @Sendable () throws -> SchemaRegistry
    /// Subject and partition key of each event type.
    public var conventions: any EventConventions
    /// Reference data by name, for projections' `reference_data`.
    public var referenceData: [String: String]
    /// The domain's HTTP routes, on the API's dependencies.
    public var routes: @Sendable (APIDependencies) -> [any APIRoutes]
    /// The domain's consumer workers (`berrys worker` runs them, with the connectors).
    public var workers: [any Worker]

    public init(registry: @escaping @Sendable () throws -> SchemaRegistry, conventions: any EventConventions,
                referenceData: [String: String] = [:], routes: @escaping @Sendable (APIDependencies) -> [any APIRoutes] = { _ in [] },
                workers: [any Worker] = []) {
        self.registry = registry
        self.conventions = conventions
        self.referenceData = referenceData
        self.routes = routes
        self.workers = workers
    }
}

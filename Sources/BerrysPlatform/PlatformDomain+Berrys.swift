import BerrysAPI
import BerrysDomain
import BerrysWorkers
import CommandSupport

extension PlatformDomain {
    /// The Berrys agent platform: its schemas (`schemas/`, with the domain's upcasters), its
    /// conventions, its state machines as projections' reference data, its read-model routes
    /// and its five workers. What `berrys` and `berrys-bench` wire into the engine.
    public static let berrys = PlatformDomain(
        registry: { try BerrysSchemas.registry() }, conventions: BerrysConventions(), referenceData: TransitionsSQL.referenceData,
        routes: { [BerrysRoutes(dependencies: $0)] }, workers: BerrysWorkerCatalog.all)
}

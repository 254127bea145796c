import BerrysAPI
import BerrysDomain
import CommandSupport

extension PlatformDomain {
    /// The Berrys agent platform: its schemas (`schemas/`, with the domain's upcasters), its
    /// conventions, its state machines as projections' reference data, and its read-model
    /// routes. What `berrys` and `berrys-bench` wire into the engine.
    public static let berrys = PlatformDomain(
        registry: { try BerrysSchemas.registry() }, conventions: BerrysConventions(), referenceData: TransitionsSQL.referenceData,
        routes: { [BerrysRoutes(dependencies: $0)] })
}

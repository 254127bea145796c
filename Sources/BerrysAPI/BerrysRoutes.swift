import Hummingbird
import QueryAPI

/// The Berrys platform's read-model routes (agents, executions, templates, topics, projects,
/// plans, tasks, models, tools), served by the engine's API beside its own.
///
/// They read the Berrys read models (`projections/` but the archive), and one route may read
/// several (an agent's executions, inbox, tools), so one group carries the read-your-writes
/// wait for all of them: a position is waited for in each, one after the other, and the
/// consistency timeout applies to each wait (the ones already there return at once).
public struct BerrysRoutes: APIRoutes {
    /// The projections the routes read.
    public static let projections = ["agents", "executions", "templates", "messaging", "planning", "catalog"]

    let dependencies: APIDependencies

    /// The routes over the read models `dependencies.reads` serves.
    public init(dependencies: APIDependencies) {
        self.dependencies = dependencies
    }

    public func register(on router: Router<BasicRequestContext>) {
        let readModels = router.group().add(middleware: ConsistencyMiddleware(projections: Self.projections, dependencies: dependencies))
        AgentRoutes(reads: dependencies.reads).register(on: readModels)
        PlanningRoutes(reads: dependencies.reads).register(on: readModels)
        CatalogRoutes(reads: dependencies.reads).register(on: readModels)
    }
}

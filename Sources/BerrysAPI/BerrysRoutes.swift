import Hummingbird
import QueryAPI

/// The Berrys platform's read-model routes (agents, executions, templates, topics, projects,
/// plans, tasks, models, tools), served by the engine's API beside its own.
///
/// They all read the `platform` projection, so one group carries the read-your-writes wait.
public struct BerrysRoutes: APIRoutes {
    let dependencies: APIDependencies

    /// The routes over the read models `dependencies.reads` serves.
    public init(dependencies: APIDependencies) {
        self.dependencies = dependencies
    }

    public func register(on router: Router<BasicRequestContext>) {
        let platform = router.group().add(middleware: ConsistencyMiddleware(projection: "platform", dependencies: dependencies))
        AgentRoutes(reads: dependencies.reads).register(on: platform)
        PlanningRoutes(reads: dependencies.reads).register(on: platform)
        CatalogRoutes(reads: dependencies.reads).register(on: platform)
    }
}

import BerrysJSON
import Foundation
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

    /// The routes' OpenAPI paths and schemas (`Resources/openapi-berrys.json`), merged into the
    /// engine's document at start.
    public var openAPIFragment: JSON? { Self.openAPI }

    /// The fragment itself (nil when the build lacks the resource).
    public static let openAPI: JSON? = {
        guard let url = Bundle.module.url(forResource: "openapi-berrys", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return nil }
        return try? JSON(parsing: [UInt8](data))
    }()

    /// The agents and plans pages of the console (`Resources/console/models.js`).
    public var consolePages: ConsolePages? {
        ConsolePages(pages: [.init(name: "agents", title: "Agents", module: "models.js", function: "agents"),
                             .init(name: "plans", title: "Plans", module: "models.js", function: "plans")],
                     folder: Bundle.module.url(forResource: "console", withExtension: nil))
    }

    public func register(on router: Router<BasicRequestContext>) {
        let readModels = router.group().add(middleware: ConsistencyMiddleware(projections: Self.projections, dependencies: dependencies))
        AgentRoutes(reads: dependencies.reads).register(on: readModels)
        PlanningRoutes(reads: dependencies.reads).register(on: readModels)
        CatalogRoutes(reads: dependencies.reads).register(on: readModels)
    }
}

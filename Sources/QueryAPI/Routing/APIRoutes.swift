import BerrysJSON
import Hummingbird

/// Routes a domain serves beside the engine's (publish, event history, operations): the Berrys
/// platform's read models come from the `BerrysAPI` module through this, so the engine API
/// knows nothing of agents or plans.
public protocol APIRoutes: Sendable {
    /// Adds the routes (and any middleware of their own, on a group) to `router`.
    func register(on router: Router<BasicRequestContext>)
    /// The routes' part of the OpenAPI document (`paths` and `components`), merged into the
    /// engine's when the API starts: what `GET /openapi.json` serves and the query-parameter
    /// check reads.
    var openAPIFragment: JSON? { get }
    /// The routes' pages in the web console, if any.
    var consolePages: ConsolePages? { get }
}

extension APIRoutes {
    /// Undocumented by default.
    public var openAPIFragment: JSON? { nil }
    /// No console pages by default.
    public var consolePages: ConsolePages? { nil }
}

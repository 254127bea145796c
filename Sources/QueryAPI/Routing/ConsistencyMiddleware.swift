import Hummingbird

/// Read-your-writes for a group of routes that read some projections: a request with
/// `consistent_with=<position>` (or `Berrys-Consistent-With`) waits until each of them has
/// applied it before the route runs (see `Consistency`).
public struct ConsistencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let projections: [String]
    let dependencies: APIDependencies

    /// - Parameter projections: the projections whose checkpoints the group's reads depend on.
    public init(projections: [String], dependencies: APIDependencies) {
        self.projections = projections
        self.dependencies = dependencies
    }

    /// - Parameter projection: the projection whose checkpoint the group's reads depend on.
    public init(projection: String, dependencies: APIDependencies) {
        self.init(projections: [projection], dependencies: dependencies)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        for projection in projections {
            try await Consistency.wait(for: request, projection: projection, dependencies: dependencies)
        }
        return try await next(request, context)
    }
}

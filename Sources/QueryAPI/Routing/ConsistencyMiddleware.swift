import Hummingbird

/// Read-your-writes for a group of routes that read one projection: a request with
/// `consistent_with=<position>` (or `Berrys-Consistent-With`) waits until the projection has
/// applied it before the route runs (see `Consistency`).
public struct ConsistencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let projection: String
    let dependencies: APIDependencies

    /// - Parameter projection: the projection whose checkpoint the group's reads depend on.
    public init(projection: String, dependencies: APIDependencies) {
        self.projection = projection
        self.dependencies = dependencies
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await Consistency.wait(for: request, projection: projection, dependencies: dependencies)
        return try await next(request, context)
    }
}

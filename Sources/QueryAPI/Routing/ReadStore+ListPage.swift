import Hummingbird

extension ReadStore {
    /// A keyset page of a `read.*` view keyed by its UUID `id`, as a response: `limit` and
    /// `cursor` from the query string, the filters `filter` adds, `limit + 1` rows fetched so
    /// that the page knows whether a next one exists.
    /// - Parameters:
    ///   - view: the view, e.g. `read.agents`.
    ///   - filter: adds the filters the request names (a bad value throws a 400 naming it).
    public func listPage(of view: String, _ request: Request, _ context: some RequestContext,
                         filter: (QueryParameters, inout SQLFilters) throws -> Void = { _, _ in }) async throws -> Response {
        let query = QueryParameters(request, context)
        let limit = try query.limit()
        var filters = SQLFilters()
        try filter(query, &filters)
        filters.add(try query.uuidCursor()) { "id > \($0)::uuid" }
        let fetched = filters.bind(limit + 1)
        return JSONResponse.make(try await page(
            "SELECT * FROM \(view) WHERE \(filters.sql) ORDER BY id LIMIT \(fetched)", filters.parameters, limit: limit))
    }
}

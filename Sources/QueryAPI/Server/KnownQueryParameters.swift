import BerrysJSON
import Foundation
import Hummingbird

/// Refuses query parameters an endpoint does not take, naming the parameter and the ones it
/// does take: a misspelt filter (`?stauts=ACTIVE`) would otherwise be ignored and answer with
/// everything. The parameters come from the OpenAPI document the API serves, so the document
/// and the check cannot drift apart; endpoints the document does not list are not checked.
///
/// A router middleware: Hummingbird builds it into every endpoint's chain, where the matched
/// route (`context.endpointPath`, e.g. `/v1/agents/{id}`) is known.
struct KnownQueryParameters<Context: RequestContext>: RouterMiddleware {
    /// "GET /v1/agents" → its query parameters.
    let parameters: [String: Set<String>]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let path = context.endpointPath, let known = parameters["\(request.method.rawValue) \(path)"] {
            for (name, _) in request.uri.queryParameters where !known.contains(String(name)) {
                let takes = known.isEmpty ? "it takes none" : "it takes \(known.sorted().joined(separator: ", "))"
                throw APIError.badParameter(String(name), "is not a parameter of \(request.method.rawValue) \(path); \(takes)")
            }
        }
        return try await next(request, context)
    }

    /// The query parameters of every operation of `document` (an OpenAPI 3 document),
    /// path-level parameters included.
    static func parameters(of document: JSON) -> [String: Set<String>] {
        var table: [String: Set<String>] = [:]
        for (path, item) in document["paths"]?.objectValue ?? [:] {
            let shared = queryNames(item["parameters"], document: document)
            for (method, operation) in item.objectValue ?? [:] where operation.objectValue != nil && method != "parameters" {
                table["\(method.uppercased()) \(path)"] = shared.union(queryNames(operation["parameters"], document: document))
            }
        }
        return table
    }

    /// The names of the `in: query` parameters of a list, following `#/components/…` references.
    private static func queryNames(_ list: JSON?, document: JSON) -> Set<String> {
        Set((list?.arrayValue ?? []).compactMap { parameter in
            var resolved = parameter
            if let reference = parameter["$ref"]?.stringValue, reference.hasPrefix("#/") {
                resolved = reference.dropFirst(2).split(separator: "/").reduce(document as JSON?) { $0?[String($1)] } ?? .null
            }
            return resolved["in"]?.stringValue == "query" ? resolved["name"]?.stringValue : nil
        })
    }
}

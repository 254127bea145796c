import BerrysJSON
import EventLog
import Hummingbird
import JSONSchema

/// The schemas as readers need them: `GET /v1/schemas` (each type with its versions, newest
/// version, consumers and producers), `GET /v1/schemas/{type}` (each version's schema and
/// examples, and each step's changes and mode) and `GET /v1/schemas/{type}/diff?from=&to=`.
struct SchemaRoutes {
    let dependencies: APIDependencies

    func register(on router: Router<BasicRequestContext>) {
        let catalog = dependencies.catalog
        router.get("/v1/schemas") { _, _ in
            JSONResponse.make(JSON.array(catalog.registry.types.map { type in
                let versions = (catalog.registry.schemas[type] ?? [:]).keys.sorted()
                return .object(["type": .string(type), "newest_version": .number(Double(versions.last ?? 1)),
                                "versions": .array(versions.map { .number(Double($0)) }),
                                "consumers": names(catalog.consumers(of: type)), "producers": names(catalog.producers(of: type))])
            }).serialized)
        }
        router.get("/v1/schemas/:type") { _, context in
            let type = try context.parameters.require("type")
            let registry = catalog.registry
            guard let versions = registry.schemas[type] else { throw unknown(type) }
            let steps = registry.steps.filter { $0.type == type }.map { step in
                JSON.object(["from": .number(Double(step.from)), "to": .number(Double(step.to)), "mode": .string(step.mode.rawValue),
                             "reader": step.upcaster.map { .string($0.origin) } ?? .string(step.reader == nil ? "as is" : "defaults"),
                             "changes": .array(step.changes.map(\.json))])
            }
            return JSONResponse.make(JSON.object([
                "type": .string(type), "newest_version": .number(Double(versions.keys.max() ?? 1)),
                "versions": .array(versions.keys.sorted().map { version in
                    .object(["version": .number(Double(version)), "schema": versions[version]!.document,
                             "examples": .array((registry.examples[type]?[version] ?? []).map { .object(["name": .string($0.name), "data": $0.data]) })])
                }),
                "steps": .array(steps),
                "consumers": names(catalog.consumers(of: type)), "producers": names(catalog.producers(of: type)),
            ]).serialized)
        }
        router.get("/v1/schemas/:type/diff") { request, context in
            let type = try context.parameters.require("type")
            guard let versions = catalog.registry.schemas[type] else { throw unknown(type) }
            let newest = versions.keys.max() ?? 1
            let from = try version(request, "from", default: max(newest - 1, 1)), to = try version(request, "to", default: newest)
            guard let old = versions[from], let new = versions[to] else {
                throw APIError.badParameter(versions[from] == nil ? "from" : "to",
                                            "\(type) has versions \(versions.keys.sorted().map(String.init).joined(separator: ", "))")
            }
            return JSONResponse.make(JSON.array(SchemaComparison.changes(from: old.document, to: new.document).map(\.json)).serialized)
        }
    }

    private func names(_ participants: [EventCatalog.Participant]) -> JSON {
        .array(participants.map { .object(["name": .string($0.name), "kind": .string($0.kind.rawValue)]) })
    }

    private func unknown(_ type: String) -> APIError {
        APIError.notFound("event type '\(type)'")
    }

    private func version(_ request: Request, _ name: String, default fallback: Int) throws -> Int {
        guard let text = request.uri.queryParameters[name[...]].map(String.init) else { return fallback }
        guard let number = Int(text.hasPrefix("v") ? String(text.dropFirst()) : text), number > 0 else {
            throw APIError.badParameter(name, "must be a version number like 2")
        }
        return number
    }
}

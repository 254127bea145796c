import BerrysJSON
import Foundation

/// The OpenAPI document the API serves: the engine's own (`Resources/openapi.json`: publishing,
/// history, the stream, dead letters, operations) with each domain's fragment merged in (its
/// paths and components, `APIRoutes.openAPIFragment`). Merged once when the router is built;
/// `GET /openapi.json` serves it and `KnownQueryParameters` reads it.
struct OpenAPIDocument: Sendable {
    /// The merged document.
    let json: JSON
    /// Its text, as served.
    let text: String

    /// The engine's document with `fragments` merged in.
    /// - Precondition: a fragment defines no path or component the document already has (two
    ///   modules documenting one thing is a build error, not something to resolve at run time).
    init(mergingIn fragments: [JSON]) {
        var document = Self.engine
        for fragment in fragments { Self.merge(fragment, into: &document) }
        json = document
        text = document.serialized
    }

    /// The engine's own document, from the module's resources (an empty one when missing).
    static let engine: JSON = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let data = try? Data(contentsOf: url),
              let document = try? JSON(parsing: [UInt8](data)) else { return .object(["openapi": .string("3.1.0"), "paths": .object([:])]) }
        return document
    }()

    /// Adds `fragment`'s paths and components to `document`.
    static func merge(_ fragment: JSON, into document: inout JSON) {
        guard case .object(var members) = document else { return }
        members["paths"] = .object(joined(members["paths"], fragment["paths"], what: "path"))
        var components = members["components"]?.objectValue ?? [:]
        for (kind, entries) in fragment["components"]?.objectValue ?? [:] {
            components[kind] = .object(joined(components[kind], entries, what: "component \(kind)"))
        }
        members["components"] = .object(components)
        document = .object(members)
    }

    private static func joined(_ base: JSON?, _ added: JSON?, what: String) -> [String: JSON] {
        var result = base?.objectValue ?? [:]
        for (name, value) in added?.objectValue ?? [:] {
            precondition(result[name] == nil, "the OpenAPI \(what) \(name) is documented twice (engine and a domain)")
            result[name] = value
        }
        return result
    }
}

import BerrysJSON
import Foundation
import JSONSchema

/// Every event type's schemas by version, and what reads each old version as the next.
///
/// It refuses to start when a schema does not load, versions have gaps, or a step between
/// versions breaks its type's compatibility mode (`schemas/compatibility.json`) without an
/// upcaster that the mode accepts. A compatible step needs no upcaster: old events are read as
/// they are, with the defaults of newly required properties filled in.
public struct SchemaRegistry: Sendable {
    /// Schemas by type, then version.
    public let schemas: [String: [Int: JSONSchema]]
    /// Every step between consecutive versions, judged.
    public let steps: [VersionStep]
    /// The valid examples of each version (for the catalog and the console).
    public let examples: [String: [Int: [SchemaSet.Example]]]
    private let readers: [String: [Int: Upcaster]]

    /// Creates a registry from a loaded schemas folder and the Swift upcasters.
    /// - Throws: `EventLogError.registry`: the first problem in the message, every refusal in `details`.
    public init(_ set: SchemaSet, upcasters: [Upcaster] = []) throws {
        let steps = try set.steps(swiftUpcasters: upcasters)
        let refusals = steps.flatMap(\.refusals)
        if let first = refusals.first {
            throw EventLogError(.registry, field: first.type, first.description + (refusals.count > 1 ? " (and \(refusals.count - 1) more)" : ""),
                                details: refusals.map(\.description))
        }
        var readers: [String: [Int: Upcaster]] = [:]
        for step in steps { readers[step.type, default: [:]][step.from] = step.reader }
        self.schemas = set.schemas
        self.steps = steps
        self.examples = set.examples
        self.readers = readers
    }

    /// Creates a registry from schemas alone (default modes, no declared upcasters).
    public init(schemas: [String: [Int: JSONSchema]], upcasters: [Upcaster] = []) throws {
        try self.init(SchemaSet(schemas: schemas), upcasters: upcasters)
    }

    /// Loads a schemas folder (layout in `SchemaSet`).
    /// - Throws: `EventLogError.registry` naming the file and the problem.
    public static func load(from folder: URL, upcasters: [Upcaster] = []) throws -> SchemaRegistry {
        try SchemaRegistry(SchemaSet.load(from: folder), upcasters: upcasters)
    }

    /// The known event types, sorted.
    public var types: [String] { schemas.keys.sorted() }

    /// The newest schema version of `type`.
    public func newestVersion(of type: String) -> Int? { schemas[type]?.keys.max() }

    /// The schema of `type` v`version`.
    /// - Throws: `.unknownType` or `.unknownVersion`.
    public func schema(type: String, version: Int) throws -> JSONSchema {
        guard let versions = schemas[type] else {
            throw EventLogError(.unknownType, field: "type", "unknown event type '\(type)' (see berrys schemas list)")
        }
        guard let schema = versions[version] else {
            throw EventLogError(.unknownVersion, field: "dataversion",
                                "\(type) has no schema version \(version) (known: \(versions.keys.sorted().map { "v\($0)" }.joined(separator: ", ")))")
        }
        return schema
    }

    /// Checks a payload against its schema.
    /// - Throws: `.unknownType`, `.unknownVersion` or `.schemaViolation` with every failure.
    public func validate(type: String, version: Int, data: JSON) throws {
        let errors = try schema(type: type, version: version).validate(data)
        if !errors.isEmpty { throw EventLogError.schemaViolation(type: type, version: version, errors) }
    }

    /// The payload converted from `version` to the newest version of `type`.
    public func upcast(type: String, version: Int, data: JSON) throws -> (version: Int, data: JSON) {
        guard let newest = newestVersion(of: type), version < newest else { return (version, data) }
        var current = data
        for step in version..<newest {
            if let reader = readers[type]?[step] { current = try reader.upcast(current) }
        }
        return (newest, current)
    }

    /// The event with its payload upcast to the newest version of its type.
    public func upcast(_ envelope: EventEnvelope) throws -> EventEnvelope {
        let (version, data) = try upcast(type: envelope.type, version: envelope.dataVersion, data: envelope.data)
        guard version != envelope.dataVersion else { return envelope }
        var result = envelope
        (result.dataVersion, result.data) = (version, data)
        return result
    }
}

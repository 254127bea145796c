import BerrysJSON
import Foundation
import JSONSchema

/// Every event type's schemas by version, and the upcasters between versions.
///
/// It refuses to start when a schema does not load, versions have gaps, or an old version
/// has no upcaster path to the newest.
public struct SchemaRegistry: Sendable {
    /// Schemas by type, then version.
    public let schemas: [String: [Int: JSONSchema]]
    private let upcasters: [String: [Int: Upcaster]]

    /// Creates a registry.
    /// - Throws: `EventLogError.registry` naming the type and version without a path to the newest.
    public init(schemas: [String: [Int: JSONSchema]], upcasters: [Upcaster] = []) throws {
        var byType: [String: [Int: Upcaster]] = [:]
        for upcaster in upcasters { byType[upcaster.type, default: [:]][upcaster.fromVersion] = upcaster }
        for (type, versions) in schemas {
            let newest = versions.keys.max() ?? 0
            for version in 1...max(newest, 1) {
                guard versions[version] != nil else {
                    throw EventLogError(.registry, field: type, "\(type) has v\(newest) but no v\(version): versions must be 1…\(newest) without gaps")
                }
                if version < newest, byType[type]?[version] == nil {
                    throw EventLogError(.registry, field: type, "\(type) v\(version) has no upcaster to v\(version + 1), so it cannot reach the newest version v\(newest)")
                }
            }
        }
        for upcaster in upcasters where schemas[upcaster.type]?[upcaster.fromVersion + 1] == nil {
            throw EventLogError(.registry, field: upcaster.type, "upcaster \(upcaster.type) v\(upcaster.fromVersion)→v\(upcaster.fromVersion + 1) has no target schema")
        }
        self.schemas = schemas
        self.upcasters = byType
    }

    /// Loads `schemas/<type>/v<N>.json` files from a folder.
    /// - Throws: `EventLogError.registry` naming the file and the problem.
    public static func load(from folder: URL, upcasters: [Upcaster] = []) throws -> SchemaRegistry {
        let files = FileManager.default
        guard let types = try? files.contentsOfDirectory(atPath: folder.path) else {
            throw EventLogError(.registry, "cannot read the schemas folder \(folder.path)")
        }
        var schemas: [String: [Int: JSONSchema]] = [:]
        for type in types.sorted() where !type.hasPrefix(".") {
            let typeFolder = folder.appendingPathComponent(type)
            var isFolder: ObjCBool = false
            guard files.fileExists(atPath: typeFolder.path, isDirectory: &isFolder), isFolder.boolValue else { continue }
            for file in try files.contentsOfDirectory(atPath: typeFolder.path) {
                guard file.hasPrefix("v"), file.hasSuffix(".json"), let version = Int(file.dropFirst().dropLast(5)) else { continue }
                schemas[type, default: [:]][version] = try loadSchema(typeFolder.appendingPathComponent(file), type: type, version: version)
            }
        }
        return try SchemaRegistry(schemas: schemas, upcasters: upcasters)
    }

    private static func loadSchema(_ url: URL, type: String, version: Int) throws -> JSONSchema {
        let path = "\(type)/v\(version).json"
        do {
            let document = try JSON(parsing: String(contentsOf: url, encoding: .utf8))
            for attribute in ["$id", "title", "description"] where document[attribute]?.stringValue == nil {
                throw EventLogError(.registry, field: path, "\(path) has no \(attribute)")
            }
            return try JSONSchema(document)
        } catch let error as EventLogError {
            throw error
        } catch {
            throw EventLogError(.registry, field: path, "\(path): \(error)")
        }
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
            guard let upcaster = upcasters[type]?[step] else {
                throw EventLogError(.registry, field: type, "no upcaster for \(type) v\(step)")
            }
            current = try upcaster.upcast(current)
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

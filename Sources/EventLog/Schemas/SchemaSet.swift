import BerrysJSON
import Foundation
import JSONSchema

/// What a schemas folder declares: every type's schemas by version, the upcasters declared as
/// data, the compatibility modes and the valid examples.
///
///     schemas/compatibility.json                   modes (optional; default BACKWARD)
///     schemas/<type>/v<N>.json                     the schema of version N
///     schemas/<type>/upcasters/v<N>-to-v<N+1>.json an upcaster as data (optional)
///     schemas/<type>/examples/v<N>.valid….json     examples (valid ones prove upcasters)
public struct SchemaSet: Sendable {
    /// An upcaster declared in a file.
    public struct DeclaredFile: Sendable {
        public var upcaster: DeclaredUpcaster
        public var file: String
    }

    /// A valid example of a version, by file name.
    public struct Example: Sendable {
        public var name: String
        public var data: JSON
    }

    public var schemas: [String: [Int: JSONSchema]]
    public var declared: [String: [Int: DeclaredFile]]
    public var modes: CompatibilityModes
    public var examples: [String: [Int: [Example]]]

    public init(schemas: [String: [Int: JSONSchema]], declared: [String: [Int: DeclaredFile]] = [:],
                modes: CompatibilityModes = CompatibilityModes(), examples: [String: [Int: [Example]]] = [:]) {
        self.schemas = schemas
        self.declared = declared
        self.modes = modes
        self.examples = examples
    }

    /// Every step of every type, judged under its mode, with `swiftUpcasters` beside the declared ones.
    /// - Throws: `EventLogError.registry` for a gap in the versions, an upcaster without a
    ///   target, or two upcasters for one step.
    public func steps(swiftUpcasters: [Upcaster]) throws -> [VersionStep] {
        var swift: [String: [Int: Upcaster]] = [:]
        for upcaster in swiftUpcasters {
            guard schemas[upcaster.type]?[upcaster.fromVersion] != nil, schemas[upcaster.type]?[upcaster.fromVersion + 1] != nil else {
                throw EventLogError(.registry, field: upcaster.type,
                                    "upcaster \(upcaster.type) v\(upcaster.fromVersion)→v\(upcaster.fromVersion + 1) has no source or target schema")
            }
            swift[upcaster.type, default: [:]][upcaster.fromVersion] = upcaster
        }
        for (type, files) in declared {
            for (from, file) in files where schemas[type]?[from] == nil || schemas[type]?[from + 1] == nil {
                throw EventLogError(.registry, field: file.file, "\(file.file): \(type) needs v\(from) and v\(from + 1) for this upcaster")
            }
        }
        var steps: [VersionStep] = []
        for type in schemas.keys.sorted() {
            let versions = schemas[type]!
            let newest = versions.keys.max() ?? 0
            for version in 1...max(newest, 1) where versions[version] == nil {
                throw EventLogError(.registry, field: type, "\(type) has v\(newest) but no v\(version): versions must be 1…\(newest) without gaps")
            }
            for from in stride(from: 1, to: newest, by: 1) {
                let file = declared[type]?[from]
                if let file, swift[type]?[from] != nil {
                    throw EventLogError(.registry, field: type, "\(type) v\(from)→v\(from + 1) has two upcasters: \(file.file) and one in Swift; keep one")
                }
                let upcaster = file.map { $0.upcaster.upcaster(type: type, fromVersion: from, origin: $0.file) } ?? swift[type]?[from]
                steps.append(VersionStep(type: type, from: from, old: versions[from]!.document, new: versions[from + 1]!.document,
                                         mode: modes.mode(of: type), upcaster: upcaster))
            }
        }
        return steps
    }
}

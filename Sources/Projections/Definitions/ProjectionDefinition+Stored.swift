import BerrysJSON

extension ProjectionDefinition {
    /// What the catalog keeps of a version, so a live version keeps running after its files
    /// changed (while the next version is rebuilt side by side).
    var stored: JSON {
        .object([
            "description": .string(description), "handles": .array(handles.map(JSON.string)), "batch_size": .number(Double(batchSize)),
            "handlers": .object(handlers.mapValues { .array($0.map(JSON.string)) }),
            "batch_handlers": .array(batchHandlers.sorted().map(JSON.string)),
            "replaces": .array(replaces.map(JSON.string)),
            "reference_data": .array(referenceData.map(JSON.string)),
        ])
    }

    /// Rebuilds a definition from a catalog row.
    init(name: String, version: Int, checksum: String, stored: JSON) throws {
        guard let handles = stored["handles"]?.arrayValue?.compactMap(\.stringValue),
              let handlers = stored["handlers"]?.objectValue?.mapValues({ $0.arrayValue?.compactMap(\.stringValue) ?? [] }) else {
            throw ProjectionError(.definition, "the catalog's definition of \(name) v\(version) is unreadable")
        }
        self.init(name: name, version: version, description: stored["description"]?.stringValue ?? "", handles: handles,
                  batchSize: stored["batch_size"]?.intValue ?? 500, schemaSQL: "", handlers: handlers, checksum: checksum)
        batchHandlers = Set(stored["batch_handlers"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        replaces = stored["replaces"]?.arrayValue?.compactMap(\.stringValue) ?? []
        referenceData = stored["reference_data"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}

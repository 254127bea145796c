import BerrysJSON
import JSONSchema

extension SchemaSet {
    /// What a working copy changed in versions the base already had: a type or version removed,
    /// or a published version edited in a way its type's mode refuses (events were written
    /// under the base's version, so they must stay valid under the edited one).
    public func refusals(againstBase base: SchemaSet) -> [SchemaRefusal] {
        var refusals: [SchemaRefusal] = []
        for type in base.schemas.keys.sorted() {
            let baseVersions = base.schemas[type]!
            guard let versions = schemas[type] else {
                refusals.append(SchemaRefusal(type: type, from: baseVersions.keys.max() ?? 1, to: baseVersions.keys.max() ?? 1, pointer: "/",
                                              rule: "type-removed", detail: "the type is gone: its events in the log could no longer be read",
                                              fix: "restore schemas/\(type)/"))
                continue
            }
            for version in baseVersions.keys.sorted() {
                guard let edited = versions[version] else {
                    refusals.append(SchemaRefusal(type: type, from: version, to: version, pointer: "/", rule: "version-removed",
                                                  detail: "v\(version) is gone: its events in the log could no longer be read",
                                                  fix: "restore schemas/\(type)/v\(version).json"))
                    continue
                }
                refusals += editRefusals(type: type, version: version, published: baseVersions[version]!.document, edited: edited.document)
            }
        }
        return refusals
    }

    private func editRefusals(type: String, version: Int, published: JSON, edited: JSON) -> [SchemaRefusal] {
        let mode = modes.mode(of: type)
        guard mode != .none else { return [] }
        // A default is filled in between versions only, so inside one version a newly required
        // property breaks even with a default.
        var changes = SchemaComparison.changes(from: published, to: edited).filter { $0.isBreaking || $0.rule == .requiredAddedWithDefault }
        if mode.checksForward { changes += SchemaComparison.changes(from: edited, to: published).filter(\.isBreaking) }
        return changes.map { change in
            SchemaRefusal(type: type, from: version, to: version, pointer: change.pointer, rule: change.rule.rawValue,
                          detail: "published v\(version) edited in place: " + change.detail,
                          fix: "restore v\(version) as it was and put the change in v\((schemas[type]?.keys.max() ?? version) + 1)")
        }
    }
}

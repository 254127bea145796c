import BerrysJSON
import JSONSchema

/// One step of an event type's history, v`from` → v`from + 1`: what changed, what reads old
/// events as the new version, and what the type's compatibility mode refuses. A pure value.
public struct VersionStep: Sendable {
    public let type: String
    public let from: Int
    public var to: Int { from + 1 }
    public let mode: CompatibilityMode
    /// Old → new: the changes a BACKWARD reader sees.
    public let changes: [SchemaChange]
    /// New → old: the changes a reader still on the old version sees (FORWARD, FULL).
    public let forwardChanges: [SchemaChange]
    /// The declared or Swift upcaster, if any.
    public let upcaster: Upcaster?
    /// What turns an old event into the new version: the upcaster, else the defaults of newly
    /// required properties, else nil (read as it is).
    public let reader: Upcaster?
    /// What the mode does not allow; empty when the step is accepted.
    public let refusals: [SchemaRefusal]

    /// Judges the step from `old` to `new` under `mode`.
    public init(type: String, from: Int, old: JSON, new: JSON, mode: CompatibilityMode, upcaster: Upcaster?) {
        self.type = type
        self.from = from
        self.mode = mode
        self.upcaster = upcaster
        changes = SchemaComparison.changes(from: old, to: new)
        forwardChanges = mode.checksForward ? SchemaComparison.changes(from: new, to: old) : []
        let defaults = changes.compactMap(\.filledDefault)
        if let upcaster {
            reader = upcaster
        } else if !defaults.isEmpty {
            reader = Self.defaultsReader(type: type, from: from, defaults)
        } else {
            reader = nil
        }
        var refusals: [SchemaRefusal] = []
        let upcasterFile = "schemas/\(type)/upcasters/v\(from)-to-v\(from + 1).json"
        if mode.checksBackward, upcaster == nil || !mode.acceptsUpcasters {
            for change in changes where change.isBreaking {
                let fix = (change.fix ?? "undo the change") + (mode.acceptsUpcasters ? " (declare it in \(upcasterFile), or in Swift)" : "")
                refusals.append(SchemaRefusal(type: type, from: from, to: from + 1, pointer: change.pointer, rule: change.rule.rawValue,
                                              detail: "not \(mode.rawValue) compatible: " + change.detail, fix: fix))
            }
        }
        for change in forwardChanges where change.isBreaking {
            refusals.append(SchemaRefusal(type: type, from: from, to: from + 1, pointer: change.pointer, rule: change.rule.rawValue,
                                          detail: "not \(mode.rawValue) compatible: a v\(from + 1) event is refused by v\(from) readers: " + change.detail,
                                          fix: "make v\(from + 1) accept no more than v\(from) does, or relax the mode in schemas/compatibility.json"))
        }
        self.refusals = refusals
    }

    private static func defaultsReader(type: String, from: Int, _ defaults: [SchemaChange.FilledDefault]) -> Upcaster {
        let steps = defaults.map { DeclaredUpcaster.Step.setDefault(at: pointerTokens($0.instancePointer), value: $0.value) }
        let declared = DeclaredUpcaster(steps: steps)
        return declared.upcaster(type: type, fromVersion: from, origin: "defaults")
    }

    static func pointerTokens(_ pointer: String) -> [String] {
        pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") }
    }
}

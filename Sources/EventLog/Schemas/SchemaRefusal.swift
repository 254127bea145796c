/// A change between two schema versions (or to a published version) that the type's
/// compatibility mode does not allow, with what would fix it.
public struct SchemaRefusal: Sendable, Hashable, CustomStringConvertible {
    public var type: String
    public var from: Int
    public var to: Int
    /// The JSON Pointer in the schema (for a failed proof: in the instance).
    public var pointer: String
    /// The rule (`required-added`, …, or `upcaster-proof`, `version-removed`).
    public var rule: String
    public var detail: String
    public var fix: String

    public init(type: String, from: Int, to: Int, pointer: String, rule: String, detail: String, fix: String) {
        self.type = type
        self.from = from
        self.to = to
        self.pointer = pointer
        self.rule = rule
        self.detail = detail
        self.fix = fix
    }

    public var description: String {
        "\(type) v\(from) → v\(to): \(rule) at \(pointer): \(detail). Fix: \(fix)"
    }
}

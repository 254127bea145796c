import BerrysJSON

/// Turns a payload of one schema version of an event type into the next version.
public struct Upcaster: Sendable {
    /// The event type.
    public var type: String
    /// The version it reads; it produces `fromVersion + 1`.
    public var fromVersion: Int
    /// Where it is declared, for reports: `Swift`, a file, or `defaults` for the registry's own.
    public var origin: String
    /// The conversion.
    public var upcast: @Sendable (JSON) throws -> JSON

    /// Creates an upcaster from `type` v`fromVersion` to v`fromVersion + 1`.
    public init(type: String, fromVersion: Int, origin: String = "Swift", upcast: @escaping @Sendable (JSON) throws -> JSON) {
        self.type = type
        self.fromVersion = fromVersion
        self.origin = origin
        self.upcast = upcast
    }
}

import BerrysJSON

/// Turns a payload of one schema version of an event type into the next version.
public struct Upcaster: Sendable {
    /// The event type.
    public var type: String
    /// The version it reads; it produces `fromVersion + 1`.
    public var fromVersion: Int
    /// The conversion.
    public var upcast: @Sendable (JSON) throws -> JSON

    /// Creates an upcaster from `type` v`fromVersion` to v`fromVersion + 1`.
    public init(type: String, fromVersion: Int, upcast: @escaping @Sendable (JSON) throws -> JSON) {
        self.type = type
        self.fromVersion = fromVersion
        self.upcast = upcast
    }
}

/// The domain's rules for which subject and partition key an event type uses.
public protocol EventConventions: Sendable {
    /// The subject events of `type` with payload `data` must carry, or nil when free.
    func subject(type: String, data: JSON) -> String?
    /// The partition key events of `type` with payload `data` must carry, or nil for the subject.
    func partitionKey(type: String, data: JSON) -> String?
}

/// Conventions that impose nothing.
public struct NoConventions: EventConventions {
    public init() {}
    public func subject(type: String, data: JSON) -> String? { nil }
    public func partitionKey(type: String, data: JSON) -> String? { nil }
}

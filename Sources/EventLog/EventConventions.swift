import BerrysJSON

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

import BerrysJSON
import Foundation

/// An event a producer wants to publish; the log fills in what is left out.
///
/// Missing `id` ⇒ a random UUID; `source` ⇒ the publisher's default; `time` ⇒ now;
/// `dataVersion` ⇒ the newest schema version; `subject`/`partitionKey` ⇒ the domain's
/// conventions for the type.
public struct EventDraft: Sendable, Hashable {
    public var type: String
    public var data: JSON
    public var subject: String?
    public var dataVersion: Int?
    public var id: String?
    public var source: String?
    public var time: String?
    public var partitionKey: String?
    public var correlationID: String?
    public var causationID: String?
    public var extensions: [String: String]
    /// This event's own condition on its subject's sequence just before it (the CloudEvents
    /// extension attribute `expectedsequence`, which is not stored with the event). Nil: the
    /// publisher's condition applies (`Berrys-Expected-Sequence`, `--expect`, the `expected:`
    /// argument), or none. A worker's emitted events carry theirs here.
    public var expected: ExpectedSequence?
    /// When set in the future, `append` holds the event (checked, its id reserved) and the
    /// log appends it at or after this time (`EventLog.schedule`); its `time` defaults to it.
    public var deliverAt: Date?

    public init(type: String, data: JSON, subject: String? = nil, dataVersion: Int? = nil, id: String? = nil,
                source: String? = nil, time: String? = nil, partitionKey: String? = nil,
                correlationID: String? = nil, causationID: String? = nil, extensions: [String: String] = [:],
                expected: ExpectedSequence? = nil, deliverAt: Date? = nil) {
        self.type = type
        self.data = data
        self.subject = subject
        self.dataVersion = dataVersion
        self.id = id
        self.source = source
        self.time = time
        self.partitionKey = partitionKey
        self.correlationID = correlationID
        self.causationID = causationID
        self.extensions = extensions
        self.expected = expected
        self.deliverAt = deliverAt
    }
}

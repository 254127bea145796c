import EventLog

/// One parked event as stored in a worker's dead-letter stream, decoded once when read: the
/// parked event's own fields and the `dlq_*` bookkeeping the parking added.
public struct DeadLetter: Sendable {
    /// One stored field of the entry, in stored order.
    public struct Field: Sendable, Hashable {
        public let name: String
        public let value: String
    }

    /// The worker whose DLQ holds it.
    public let worker: String
    /// The partition of the stream it came from.
    public let partition: Int
    /// Its id in the DLQ stream.
    public let entryID: String
    /// All stored fields: the original event's and the `dlq_*` bookkeeping.
    public let fields: [Field]
    /// The parked event's id, type and subject; nil for an entry that was not a valid event
    /// (parked as `invalid`) and lacks them.
    public let eventID: String?
    public let type: String?
    public let subject: String?
    /// Why it was parked; nil for a reason this build does not know.
    public let reason: ParkReason?
    /// The last error's text.
    public let error: String
    /// The attempts counted before it was parked.
    public let attempts: Int
    /// Its partition key (empty for an invalid entry, which blocks no key).
    public let key: String

    /// Decodes a DLQ entry's fields.
    init(worker: String, partition: Int, entryID: String, fields: [(String, String)]) {
        self.worker = worker
        self.partition = partition
        self.entryID = entryID
        self.fields = fields.map { Field(name: $0.0, value: $0.1) }
        func stored(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }
        eventID = stored("id")
        type = stored("type")
        subject = stored("subject")
        reason = stored("dlq_reason").flatMap(ParkReason.init(rawValue:))
        error = stored("dlq_error") ?? ""
        attempts = stored("dlq_attempts").flatMap(Int.init) ?? 0
        key = stored("dlq_key") ?? ""
    }

    /// How to name it on the command line: `<worker>/<partition>/<entry id>`.
    public var reference: String { "\(worker)/\(partition)/\(entryID)" }

    /// One stored field, by name.
    public func field(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// When it was parked, from its DLQ entry id (milliseconds since 1970).
    public var parkedAtMilliseconds: Int64 { Int64(entryID.split(separator: "-").first ?? "0") ?? 0 }
}

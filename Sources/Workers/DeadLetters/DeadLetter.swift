import EventLog

/// One parked event as stored in a worker's dead-letter stream.
public struct DeadLetter: Sendable {
    /// The worker whose DLQ holds it.
    public let worker: String
    /// The partition of the stream it came from.
    public let partition: Int
    /// Its id in the DLQ stream.
    public let entryID: String
    /// All stored fields: the original event's and the `dlq_*` bookkeeping.
    public let fields: [(String, String)]

    /// How to name it on the command line: `<worker>/<partition>/<entry id>`.
    public var reference: String { "\(worker)/\(partition)/\(entryID)" }

    /// One stored field, by name.
    public func field(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }

    /// The event id, type, subject, park reason, error text and counted attempts.
    public var eventID: String { field("id") ?? "?" }
    public var type: String { field("type") ?? "?" }
    public var subject: String { field("subject") ?? "?" }
    public var reason: String { field("dlq_reason") ?? "?" }
    public var error: String { field("dlq_error") ?? "" }
    public var attempts: Int { field("dlq_attempts").flatMap(Int.init) ?? 0 }
    /// Its partition key (empty for an invalid entry).
    public var key: String { field("dlq_key") ?? "" }
    /// When it was parked, from its DLQ entry id (milliseconds since 1970).
    public var parkedAtMilliseconds: Int64 { Int64(entryID.split(separator: "-").first ?? "0") ?? 0 }
}

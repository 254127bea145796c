import EventLog

/// One event as the hub fans it out, rendered once and shared by reference among subscribers.
public final class LiveEvent: Sendable {
    /// Where it is in the log.
    public let position: Position
    public let type: String
    public let subject: String
    /// The effective partition key (the partition key, else the subject).
    public let partitionKey: String
    public let source: String
    /// Its message without the `id:` line (`event:`, `data:`, the blank line).
    public let body: String
    /// Its whole message, with the hub's token as `id:`.
    public let frame: String
    /// The hub's position in every partition once it passed this event: the resume point of a
    /// subscriber in step with the hub (`SubscriberCursor`).
    public let hubPositions: [StreamID]

    init(event: EventEnvelope, position: Position, body: String, hubPositions: [StreamID]) {
        self.position = position
        self.type = event.type
        self.subject = event.subject
        self.partitionKey = event.effectivePartitionKey
        self.source = event.source
        self.body = body
        self.hubPositions = hubPositions
        self.frame = ServerSentEvents.message(id: ResumeToken(positions: hubPositions).description, body: body)
    }

    /// Whether `filter` lets it through.
    func passes(_ filter: StreamFilter) -> Bool {
        filter.matches(type: type, subject: subject, partitionKey: partitionKey, source: source)
    }
}

/// What a subscriber's queue carries.
public enum LiveItem: Sendable {
    /// An event that passed the subscriber's filter.
    case event(LiveEvent)
    /// The hub's positions now, every heartbeat interval: keeps the connection open and lets a
    /// subscriber in step with the hub move its resume point past events it filtered out.
    case heartbeat([StreamID])
}

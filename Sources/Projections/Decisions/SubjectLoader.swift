import EventLog

/// One subject's history as a command handler loads it: every event, upcast, in sequence order.
public struct LoadedSubject: Sendable {
    public let subject: String
    /// Events 1…`sequence`, upcast to their types' newest versions.
    public let events: [EventEnvelope]
    /// The subject's sequence when it was loaded (0: no events): the condition a decision
    /// taken on this history appends under.
    public let sequence: Int
}

/// Loads a subject's history from both tiers: the archive (`read.events`) for what it holds,
/// Redis for the rest, up to the subject's sequence as the append function recorded it, so a
/// history loaded right after an append holds it.
///
/// How: the subject's head (sequence, position) from Redis; the archive's rows of the subject up
/// to that sequence; then Redis's entries after the last archived one, up to the head, keeping
/// the subject's. Redis still holds every event the archive lacks: the trimmer never trims
/// past the archive's checkpoint, so an event of the subject below Redis's trim watermark is
/// archived and in the rows already.
public struct SubjectLoader: Sendable {
    let log: EventLog
    let archive: ArchiveSource?

    /// - Parameter archive: the archive; without one, Redis must still hold the subject's first
    ///   event (a partition never trimmed below it).
    public init(log: EventLog, archive: ArchiveSource?) {
        self.log = log
        self.archive = archive
    }

    /// The subject's history.
    /// - Parameter partitionKey: the subject's partition key when its events carry one.
    /// - Throws: `EventLogError(.trimmed)` when neither tier holds some of its events (no
    ///   archive, and Redis trimmed below them).
    public func load(subject: String, partitionKey: String? = nil) async throws -> LoadedSubject {
        guard let head = try await log.subjectHead(subject: subject, partitionKey: partitionKey) else {
            return LoadedSubject(subject: subject, events: [], sequence: 0)
        }
        var events = try await archive?.subjectEvents(subject: subject, from: 1, through: head.sequence, atTime: nil,
                                                       limit: head.sequence) ?? []
        var after = events.last?.position?.streamID ?? .zero
        while (events.last?.sequence ?? 0) < head.sequence, after < head.position.streamID {
            let tail = try await log.readTail(partition: head.position.partition, after: after, count: 1000)
            guard let last = tail.entries.last?.position?.streamID else { break }
            for case .event(let event) in tail.entries where event.subject == subject && (event.sequence ?? 0) > (events.last?.sequence ?? 0) {
                guard let position = event.position, position <= head.position else { continue }
                events.append(event)
            }
            after = last
        }
        guard events.map({ $0.sequence ?? 0 }) == Array(1...head.sequence) else {
            throw EventLogError(.trimmed, field: "subject", """
                subject \(subject): \(events.count) of its \(head.sequence) events found (partition \(head.position.partition) of Redis \
                is trimmed below some of them); load it with the archive (read.events)
                """)
        }
        return LoadedSubject(subject: subject, events: try events.map { try log.registry.upcast($0) }, sequence: head.sequence)
    }
}

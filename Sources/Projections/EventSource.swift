import EventLog

/// Where a rebuild reads events from: the log itself, or the archive of it in PostgreSQL.
public protocol EventSource: Sendable {
    /// Up to `count` events of `partition` after `after`, oldest first, as stored (not upcast).
    func events(partition: Int, after: StreamID, count: Int) async throws -> [EventEnvelope]
}

/// The Redis log.
public struct LogSource: EventSource {
    let log: EventLog

    public init(log: EventLog) {
        self.log = log
    }

    public func events(partition: Int, after: StreamID, count: Int) async throws -> [EventEnvelope] {
        try await log.read(partition: partition, after: after, count: count, upcast: false)
    }
}

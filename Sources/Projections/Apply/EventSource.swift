import EventLog

/// Where a rebuild reads events from: the log itself, or the archive of it in PostgreSQL.
public protocol EventSource: Sendable {
    /// Up to `count` entries of `partition` after `after`, oldest first, as stored (not upcast).
    func entries(partition: Int, after: StreamID, count: Int) async throws -> [LogEntry]
}

/// The Redis log.
public struct LogSource: EventSource {
    let log: EventLog

    public init(log: EventLog) {
        self.log = log
    }

    public func entries(partition: Int, after: StreamID, count: Int) async throws -> [LogEntry] {
        try await log.readEntries(partition: partition, after: after, count: count)
    }
}

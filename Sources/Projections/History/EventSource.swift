import EventLog

/// Where an applier reads events from: the tiered log (`TieredSource`, what the projector and
/// rebuilds use), or the archive alone (`ArchiveSource`).
public protocol EventSource: Sendable {
    /// Up to `count` entries of `partition` after `after`, oldest first, as stored (not upcast).
    func entries(partition: Int, after: StreamID, count: Int) async throws -> [LogEntry]
}

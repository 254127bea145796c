/// Where a reader takes a partition's entries from, by position: the tiered log
/// (`Projections.TieredSource`: the archive below Redis's trimmed point, Redis above), the
/// archive alone, or Redis alone. Projections apply from one; a worker group created below the
/// trimmed point catches up through one (`WorkerRuntime`'s `history`).
public protocol EventSource: Sendable {
    /// Up to `count` entries of `partition` after `after`, oldest first, as stored (not upcast).
    func entries(partition: Int, after: StreamID, count: Int) async throws -> [LogEntry]
}

import EventLog
import PostgresClient

/// The whole log of a partition from any position: the archive (`read.events`) below Redis's
/// trim watermark, Redis from it on, with no gap and no duplicate at the seam, even while a
/// trimmer moves it. Positions are the same whichever tier served them.
///
/// Each read takes Redis's entries after the position and the watermark read after them on
/// the same connection (`EventLog.readTail`): Redis then still holds every entry at or above
/// that watermark, and the trimmer never moves the watermark past the archive's checkpoint,
/// so the archive holds every entry below it. A read below the watermark takes the archive's
/// entries between the position and the watermark first, then Redis's from the watermark on.
public struct TieredSource: EventSource {
    let log: EventLog
    let archive: ArchiveSource
    let catalog: ProjectionCatalog

    public init(log: EventLog, pool: PostgresPool) {
        self.log = log
        self.archive = ArchiveSource(pool: pool)
        self.catalog = ProjectionCatalog(pool: pool)
    }

    public func entries(partition: Int, after: StreamID, count: Int) async throws -> [LogEntry] {
        let tail = try await log.readTail(partition: partition, after: after, count: count)
        guard after.successor < tail.watermark else { return tail.entries }
        try await requireArchive(partition: partition, through: tail.watermark)
        let archived = try await archive.entries(partition: partition, after: after, before: tail.watermark, count: count)
        guard archived.count < count else { return archived }
        // Redis's entries below the watermark (an approximate trim may leave some) are archived ones.
        let fromRedis = tail.entries.filter { ($0.position?.streamID ?? .zero) >= tail.watermark }
        return archived + fromRedis.prefix(count - archived.count)
    }

    /// The archive must hold every entry below the watermark; it does unless it was rebuilt
    /// from a log already trimmed, or the database is not the one the log was archived into.
    private func requireArchive(partition: Int, through watermark: StreamID) async throws {
        let checkpoint = try await catalog.liveCheckpoints(projection: "archive")[partition]
        guard let checkpoint, checkpoint.successor >= watermark else {
            throw ProjectionError(.archiveIncomplete, "partition \(partition) of the log is trimmed below \(watermark), but the archive "
                                  + "\(checkpoint.map { "reaches only \($0)" } ?? "has no live version"): the events in between are in neither tier "
                                  + "(is BERRYS_DATABASE_URL the database this log was archived into?)")
        }
    }
}

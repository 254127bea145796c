import BerrysFoundation
import EventLog

/// One subject's history, consistent with the log: read from the archive once it has reached
/// the subject's latest event as the append function recorded it in Redis, so a reader (a
/// command handler loading an entity) never misses the subject's latest events.
public struct SubjectHistory: Sendable {
    /// Waits until the archive projection has applied a position, up to a timeout;
    /// false when the time ran out (`CheckpointWatcher.wait` or `ProjectionWaiter.wait`).
    public typealias ArchiveWaiter = @Sendable (_ position: Position, _ timeout: Duration) async throws -> Bool

    let log: EventLog
    let waitForArchive: ArchiveWaiter

    public init(log: EventLog, waitForArchive: @escaping ArchiveWaiter) {
        self.log = log
        self.waitForArchive = waitForArchive
    }

    /// The subject's current sequence, once the archive holds every event up to it (nil: the
    /// subject has no events). Read the archive's rows with sequences up to it.
    /// - Throws: `ProjectionError(.notReached)` when the archive did not reach the subject's
    ///   latest event within `timeout`, naming the position and how long was waited.
    public func consistentHead(subject: String, partitionKey: String?, timeout: Duration) async throws -> Int? {
        guard let head = try await log.subjectHead(subject: subject, partitionKey: partitionKey) else { return nil }
        guard try await waitForArchive(head.position, timeout) else {
            throw ProjectionError(.notReached, "the archive did not reach \(subject)'s latest event (sequence \(head.sequence), position \(head.position)) within \(Int(timeout.inSeconds * 1000)) ms; is the projector running?")
        }
        return head.sequence
    }
}

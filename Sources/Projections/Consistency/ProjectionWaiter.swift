import EventLog
import Foundation
import PostgresClient

/// Read-your-writes: waits until a projection's live version has applied a given position,
/// woken by the projector's NOTIFY on each checkpoint (no polling loop).
public struct ProjectionWaiter: Sendable {
    let conninfo: String

    /// - Parameter conninfo: the database the projector writes to.
    public init(conninfo: String) {
        self.conninfo = conninfo
    }

    /// Waits until projection `name` (its live version) has applied `position`.
    /// - Returns: true when reached, false when `timeout` seconds passed first.
    public func wait(projection name: String, reached position: Position, timeout: Double) async throws -> Bool {
        let connection = PostgresConnection(conninfo: conninfo)
        return try await connection.waitForCheckpoint(name: name, position: position, timeout: timeout)
    }
}

extension PostgresConnection {
    /// LISTENs first, then checks, so a checkpoint committed in between is not missed.
    func waitForCheckpoint(name: String, position: Position, timeout: Double) throws -> Bool {
        try listen(BatchApplier.channel(name))
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let reached = try CheckpointQuery.positions(try query(CheckpointQuery.ofLiveVersion, [name]))[position.partition]
            if let reached, reached >= position.streamID { return true }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return false }
            // Any notification on the channel may be ours; re-check the checkpoint after it. The
            // wait is sliced so that a cancelled caller (e.g. a request timeout) stops promptly.
            while true {
                if Task.isCancelled { throw CancellationError() }
                let slice = min(0.1, max(0, deadline.timeIntervalSinceNow))
                if let note = try waitForNotification(timeout: slice), Position(note.payload)?.partition == position.partition { break }
                if deadline.timeIntervalSinceNow <= 0 { return false }
            }
        }
    }
}

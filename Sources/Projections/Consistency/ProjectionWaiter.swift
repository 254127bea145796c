import BerrysFoundation
import EventLog
import Foundation
import PostgresClient

/// Read-your-writes: waits until a projection's live version has applied a given position,
/// woken by the projector's NOTIFY on each checkpoint (no polling loop).
public struct ProjectionWaiter: Sendable {
    let conninfo: String
    let clock: BerrysClock

    /// - Parameters:
    ///   - conninfo: the database the projector writes to.
    ///   - clock: what the timeout is measured on.
    public init(conninfo: String, clock: BerrysClock) {
        self.conninfo = conninfo
        self.clock = clock
    }

    /// Waits until projection `name` (its live version) has applied `position`.
    /// - Returns: true when reached, false when `timeout` passed first.
    public func wait(projection name: String, reached position: Position, timeout: Duration) async throws -> Bool {
        let connection = PostgresConnection(conninfo: conninfo)
        return try await connection.waitForCheckpoint(name: name, position: position, deadline: clock.now + timeout, clock: clock)
    }
}

extension PostgresConnection {
    /// LISTENs first, then checks, so a checkpoint committed in between is not missed.
    func waitForCheckpoint(name: String, position: Position, deadline: BerrysClock.Instant, clock: BerrysClock) throws -> Bool {
        try listen(BatchApplier.channel(name))
        while true {
            let reached = try CheckpointQuery.positions(try query(CheckpointQuery.ofLiveVersion, [name]))[position.partition]
            if let reached, reached >= position.streamID { return true }
            guard clock.now < deadline else { return false }
            // Any notification on the channel may be ours; re-check the checkpoint after it. The
            // wait is sliced so that a cancelled caller (e.g. a request timeout) stops promptly.
            while true {
                if Task.isCancelled { throw CancellationError() }
                let slice = min(0.1, max(0, clock.now.duration(to: deadline).inSeconds))
                if let note = try waitForNotification(timeout: slice), Position(note.payload)?.partition == position.partition { break }
                if clock.now >= deadline { return false }
            }
        }
    }
}

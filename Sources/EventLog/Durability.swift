import BerrysFoundation
import RedisClient

/// When an append counts as done (`BERRYS_DURABILITY`).
///
/// - `local` (default): once the primary has it (and its AOF, per `appendfsync`). A failover
///   of that primary to a replica that had not received it yet loses it: Redis replicates
///   asynchronously, so the window is the replication lag (sub-millisecond on one machine,
///   longer across a network or under load).
/// - `replicated`: once at least one replica has it too (`WAIT 1 <timeout>` after the write,
///   on the same connection). A failover then promotes a replica that has it, unless every
///   replica that had it is lost at once. Redis's WAIT does not make a write synchronous: a
///   timeout means the event is on the primary and may or may not survive a failover. A
///   duplicate (a retry) is answered the same way: acknowledged only when `WAIT` confirms a
///   replica in step, since its original may not have reached one either.
public enum Durability: Sendable, Hashable, CustomStringConvertible {
    case local
    case replicated(timeout: Duration)

    /// The default timeout of `replicated`.
    public static let defaultReplicationTimeout: Duration = .seconds(1)

    public var description: String {
        switch self {
        case .local: return "local"
        case .replicated(let timeout): return "replicated (WAIT 1 \(timeout.inMilliseconds) ms)"
        }
    }

    /// The command that waits for a replica, or nil for `local`.
    var waitCommand: RedisCommand? {
        guard case .replicated(let timeout) = self else { return nil }
        return RedisCommand("WAIT", "1", String(timeout.inMilliseconds))
    }

    /// Checks a `WAIT` reply.
    /// - Throws: `EventLogError` `.notReplicated` when no replica confirmed in time.
    func check(waitReply reply: RedisValue, stream: String) throws {
        guard case .replicated(let timeout) = self else { return }
        if let message = reply.errorMessage {
            throw EventLogError(.notReplicated, "WAIT after the append to \(stream) failed: \(message); the event is on the primary, "
                                + "and may or may not survive a failover. Publishing it again is safe: its id de-duplicates")
        }
        guard (reply.int ?? 0) >= 1 else {
            throw EventLogError(.notReplicated, "no replica confirmed the append to \(stream) within \(timeout.inMilliseconds) ms: the event is on the "
                                + "primary and may or may not survive a failover. Publishing it again is safe: its id de-duplicates")
        }
    }
}

import BerrysFoundation
import EventLog
import Logging
import PostgresClient
import ServiceLifecycle
import Synchronization

/// Read-your-writes waits for a whole process on one LISTEN session: a waiter registers the
/// position it needs, and each checkpoint NOTIFY of its projection re-reads the live
/// checkpoints once for all waiters of that projection.
///
/// Without it every waiting request held a PostgreSQL session of its own (a connection per
/// wait, and as many backends as concurrent waits). While the watcher is not running, `wait`
/// falls back to that (`ProjectionWaiter`).
///
/// Notifications are the fast path; the checkpoints of a projection with waiters are also read
/// every `recheckInterval` (1 s) without one, so a notification missed for any reason (a
/// listener reconnecting, a NOTIFY dropped) delays a wait by at most that much.
public final class CheckpointWatcher: Service, Sendable {
    private let pool: PostgresPool
    private let logger: Logger
    private let clock: BerrysClock
    /// How often the checkpoints of a projection with waiters are read without a notification.
    public let recheckInterval: Duration
    // Mutex: waiters register from request tasks while the watch loop decides them.
    private let state = Mutex(WatchState())

    /// - Parameters:
    ///   - pool: the database the projector writes to. Only its conninfo is used: the watcher
    ///     reads checkpoints on two connections of its own and listens on a third, so a wait is
    ///     never queued behind the projector's batches when the process shares one pool
    ///     (`berrys run` does), as the projector's leases are not (`Projector.leasePool`).
    ///   - clock: what the timeouts are measured on.
    ///   - recheckInterval: how often waiters' checkpoints are read without a notification.
    public init(pool: PostgresPool, clock: BerrysClock, recheckInterval: Duration = .seconds(1),
                logger: Logger = Logger(label: "berrys.checkpoints")) {
        self.pool = PostgresPool(conninfo: pool.conninfo, size: 2)
        self.clock = clock
        self.recheckInterval = recheckInterval
        self.logger = logger
    }

    /// Whether the watch loop runs (waits are served by it rather than by sessions of their own).
    public var isWatching: Bool { state.withLock { $0.running } }

    /// What the watcher last did for `projection`, for diagnostics: the last notification's
    /// payload and how long ago it came, and how long ago its checkpoints were last read.
    public func activity(of projection: String) -> (lastNotification: String?, sinceNotification: Duration?, sinceRecheck: Duration?) {
        let now = clock.now
        return state.withLock { state in
            let heard = state.heard[projection]
            return (heard?.payload, heard.map { now - $0.at }, state.checked[projection].map { now - $0 })
        }
    }

    /// Waits until projection `name` (its live version) has applied `position`.
    /// - Returns: true when reached, false when `timeout` passed first.
    public func wait(projection name: String, reached position: Position, timeout: Duration) async throws -> Bool {
        let deadline = clock.now + max(.zero, timeout)
        guard let id = state.withLock({ $0.register(projection: name, position: position, deadline: deadline) }) else {
            return try await ProjectionWaiter(conninfo: pool.conninfo, clock: clock).wait(projection: name, reached: position, timeout: timeout)
        }
        // Registered before looking, so a checkpoint committed meanwhile is seen by one or the other.
        do {
            if let reached = try await Self.liveCheckpoints(of: name, pool: pool)[position.partition], reached >= position.streamID {
                decide(id, true)
            }
        } catch {
            decide(id, false)
            throw error
        }
        return await withCheckedContinuation { continuation in
            let decided = state.withLock { $0.attach(id, continuation) }
            if let decided { continuation.resume(returning: decided) }
        }
    }

    /// Listens and decides waiters until shutdown; reconnects (and re-reads) after errors.
    public func run() async throws {
        state.withLock { $0.running = true }
        defer {
            let pending = state.withLock { $0.stop() }
            for continuation in pending { continuation.resume(returning: false) }
        }
        await cancelWhenGracefulShutdown { [self] in
            try? await RetryLoop(backoff: .listenAgain, budget: .unlimited, clock: clock).run(
                isRetryable: { _ in !Task.isCancelled },
                onRetry: { error, _ in logger.warning("checkpoint notifications interrupted (\(error)); listening again") }
            ) {
                let listener = PostgresConnection(conninfo: pool.conninfo)
                do {
                    try await watch(on: listener)
                } catch {
                    await listener.close()
                    throw error
                }
                await listener.close()
            }
        }
    }

    private func watch(on listener: PostgresConnection) async throws {
        var listening: Set<String> = []
        while !Task.isCancelled {
            // LISTEN for projections waited on since; what committed before is read once.
            for name in state.withLock({ $0.projectionsWaitedOn }).subtracting(listening) {
                try await listener.listen(BatchApplier.channel(name))
                listening.insert(name)
                try await recheck(name)
            }
            if let note = try await listener.waitForNotification(timeout: 0.1),
               let name = listening.first(where: { BatchApplier.channel($0) == note.channel }) {
                state.withLock { $0.heard[name] = (note.payload, clock.now) }
                try await recheck(name)
            }
            for name in state.withLock({ $0.due(every: recheckInterval, now: clock.now) }) where listening.contains(name) {
                try await recheck(name)
            }
            for id in state.withLock({ $0.expired(now: clock.now) }) { decide(id, false) }
        }
    }

    /// Reads the live checkpoints of `name` and decides the waiters they satisfy.
    private func recheck(_ name: String) async throws {
        guard state.withLock({ $0.hasWaiters(for: name) }) else { return }
        state.withLock { $0.checked[name] = clock.now }
        let checkpoints = try await Self.liveCheckpoints(of: name, pool: pool)
        for id in state.withLock({ $0.satisfied(projection: name, by: checkpoints) }) { decide(id, true) }
    }

    private func decide(_ id: Int, _ outcome: Bool) {
        if let continuation = state.withLock({ $0.decide(id, outcome) }) { continuation.resume(returning: outcome) }
    }

    /// The checkpoint of each partition of the live version of `name`.
    static func liveCheckpoints(of name: String, pool: PostgresPool) async throws -> [Int: StreamID] {
        try CheckpointQuery.positions(try await pool.query(CheckpointQuery.ofLiveVersion, [name]))
    }
}

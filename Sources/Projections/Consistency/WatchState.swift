import BerrysFoundation
import EventLog

/// The waiters of a `CheckpointWatcher`, without I/O: each is decided once (reached, or not in
/// time), whether that happens before or after its task starts waiting.
struct WatchState {
    struct Waiter {
        let projection: String
        let position: Position
        let deadline: BerrysClock.Instant
        /// Set when decided before the waiting task attached its continuation.
        var outcome: Bool?
        var continuation: CheckedContinuation<Bool, Never>?
    }

    /// Whether a watch loop runs (otherwise waiters are refused and wait on their own).
    var running = false
    /// Per projection: the last notification heard (its payload, when) and the last time its
    /// checkpoints were read for waiters.
    var heard: [String: (payload: String, at: BerrysClock.Instant)] = [:]
    var checked: [String: BerrysClock.Instant] = [:]
    private var waiters: [Int: Waiter] = [:]
    private var nextID = 0

    /// Registers a waiter; nil when no watch loop runs.
    mutating func register(projection: String, position: Position, deadline: BerrysClock.Instant) -> Int? {
        guard running else { return nil }
        nextID += 1
        waiters[nextID] = Waiter(projection: projection, position: position, deadline: deadline)
        return nextID
    }

    /// Attaches the waiting task; returns the outcome at once when it is already decided.
    mutating func attach(_ id: Int, _ continuation: CheckedContinuation<Bool, Never>) -> Bool? {
        guard var waiter = waiters[id] else { return false }
        if let outcome = waiter.outcome {
            waiters[id] = nil
            return outcome
        }
        waiter.continuation = continuation
        waiters[id] = waiter
        return nil
    }

    /// Decides a waiter; returns the continuation to resume when its task is already waiting.
    mutating func decide(_ id: Int, _ outcome: Bool) -> CheckedContinuation<Bool, Never>? {
        guard var waiter = waiters[id], waiter.outcome == nil else { return nil }
        if let continuation = waiter.continuation {
            waiters[id] = nil
            return continuation
        }
        waiter.outcome = outcome
        waiters[id] = waiter
        return nil
    }

    var projectionsWaitedOn: Set<String> { Set(waiters.values.map(\.projection)) }

    /// The projections with undecided waiters whose checkpoints were last read `interval` ago
    /// or more: read again even without a notification.
    func due(every interval: Duration, now: BerrysClock.Instant) -> [String] {
        Set(waiters.values.filter { $0.outcome == nil }.map(\.projection)).filter { projection in
            checked[projection].map { now - $0 >= interval } ?? true
        }.sorted()
    }

    func hasWaiters(for projection: String) -> Bool {
        waiters.values.contains { $0.projection == projection && $0.outcome == nil }
    }

    /// The undecided waiters of `projection` whose position the checkpoints have reached.
    func satisfied(projection: String, by checkpoints: [Int: StreamID]) -> [Int] {
        waiters.compactMap { id, waiter in
            guard waiter.projection == projection, waiter.outcome == nil,
                  let reached = checkpoints[waiter.position.partition], reached >= waiter.position.streamID else { return nil }
            return id
        }
    }

    /// The undecided waiters whose deadline has passed.
    func expired(now: BerrysClock.Instant) -> [Int] {
        waiters.compactMap { id, waiter in waiter.outcome == nil && waiter.deadline <= now ? id : nil }
    }

    /// Stops: no new waiters; returns the waiting tasks (to be told "not reached").
    mutating func stop() -> [CheckedContinuation<Bool, Never>] {
        running = false
        let waiting = waiters.values.compactMap(\.continuation)
        waiters.removeAll()
        return waiting
    }
}

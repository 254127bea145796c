import BerrysFoundation
import Foundation
import Synchronization

/// A clock that moves only when a test says so: rules about time (stalls, leases, backoff,
/// pacing) are tested in microseconds, whatever the machine's load, without sleeping.
///
/// Sleepers wake, in deadline order, when `advance(by:)` moves `now` to or past their deadline;
/// a cancelled sleeper throws `CancellationError` at once.
public final class ManualClock: Clock, Sendable {
    /// An instant: the time advanced since the clock was made.
    public struct Instant: InstantProtocol {
        public var offset: Duration
        public init(offset: Duration) { self.offset = offset }
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        let id: Int
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Sleeper] = []
        var nextID = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .zero }

    /// How many tasks are sleeping on this clock now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let wakeNow: (any Error)?? = state.withLock { state in
                    if Task.isCancelled { return .some(CancellationError()) }
                    if deadline <= state.now { return .some(nil) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .none
                }
                switch wakeNow {
                case .some(.some(let error)): continuation.resume(throwing: error)
                case .some(.none): continuation.resume()
                case .none: break
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves `now` on by `duration` and wakes every sleeper whose deadline it reached.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Returns once at least `count` tasks sleep on this clock: a test advances time only when
    /// the code under test has reached its wait. Also returns when the test is cancelled (its
    /// time limit), so that code that never waits fails the test instead of hanging it.
    public func waitForSleepers(_ count: Int = 1) async {
        while sleeperCount < count && !Task.isCancelled { await Task.yield() }
    }
}

extension ManualClock {
    /// This clock as the product's clock: its wall-clock time starts at `start` and moves with it.
    public func berrysClock(startingAt start: Date = Date(timeIntervalSince1970: 1_800_000_000)) -> BerrysClock {
        BerrysClock(self, date: { start.addingTimeInterval(self.now.offset.inSeconds) })
    }

    /// When `run` moves the clock on.
    public enum Pace: Sendable {
        /// Each time the code under test sleeps on the clock: for code that waits several times
        /// in a row (a retry loop), where the test cares how much time passed, not each wait.
        case whenSleeping
        /// At every turn of the cooperative pool: for code that reads the clock without
        /// sleeping on it (a wait that polls its deadline between notifications).
        case always
    }

    /// Runs `body` while moving time on by `step` at `pace`, until it returns.
    public func run<T: Sendable>(advancingBy step: Duration, _ pace: Pace = .whenSleeping,
                                 _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                while !Task.isCancelled {
                    if pace == .always || self.sleeperCount > 0 { self.advance(by: step) }
                    await Task.yield()
                }
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }
}

import Synchronization

/// The tasks waiting for something (a connection, a slot, a result), first come first served,
/// each with what it brought (`Payload`: a statement to run, or nothing), and the state of what
/// they wait for (`Shared`: idle connections, slots in use), under one lock: the one waiter
/// queue of the project, behind the connection pools, the PostgreSQL auto-pipeline and the
/// connectors' in-flight limit.
///
/// A waiter that is cancelled leaves the queue at once and throws `CancellationError`; one
/// that was already handed its value keeps it (and gives it back as it would after use).
public final class WaiterQueue<Payload: Sendable, Value: Sendable, Shared: Sendable>: Sendable {
    /// A waiter taken from the queue: what it brought, and how to answer it.
    public struct Waiter: Sendable {
        public let payload: Payload
        fileprivate let continuation: CheckedContinuation<Value, any Error>

        /// Hands the waiter its value.
        public func resume(_ value: Value) { continuation.resume(returning: value) }
        /// Hands the waiter an error.
        public func fail(_ error: any Error) { continuation.resume(throwing: error) }
    }

    /// What a task that comes to the queue does, decided under the lock.
    public enum Arrival: Sendable {
        /// Takes this value at once, without waiting.
        case now(Value)
        /// Joins the queue.
        case wait
        /// Joins the queue, then (outside the lock) runs this, e.g. to wake who serves it.
        case waitThen(@Sendable () -> Void)
    }

    private struct State {
        var shared: Shared
        var waiting: [(id: Int, waiter: Waiter)] = []
        var nextID = 0
    }

    private let state: Mutex<State>

    public init(_ shared: Shared) {
        state = Mutex(State(shared: shared))
    }

    /// How many wait now.
    public var count: Int { state.withLock { $0.waiting.count } }

    /// Reads or changes the shared state under the lock.
    public func withShared<T>(_ body: (inout Shared) -> T) -> T {
        state.withLock { body(&$0.shared) }
    }

    /// Comes to the queue with `payload`: `arrive` decides, under the lock, whether the task
    /// takes a value at once or waits.
    /// - Throws: `CancellationError` when cancelled while waiting; an error handed by `fail`.
    public func wait(with payload: Payload, _ arrive: (inout Shared) -> Arrival) async throws -> Value {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                let arrival: Arrival? = state.withLock { state in
                    if Task.isCancelled { return nil }
                    let arrival = arrive(&state.shared)
                    if case .now = arrival { return arrival }
                    state.waiting.append((id, Waiter(payload: payload, continuation: continuation)))
                    return arrival
                }
                switch arrival {
                case nil: continuation.resume(throwing: CancellationError())
                case .now(let value): continuation.resume(returning: value)
                case .wait: break
                case .waitThen(let then): then()
                }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> Waiter? in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index).waiter
            }
            cancelled?.fail(CancellationError())
        }
    }

    /// Takes up to `count` waiters, first come first; when none waits, runs `whenEmpty` on the
    /// shared state under the lock (so that no waiter joins unseen between the two) and
    /// returns an empty array.
    public func take(upTo count: Int = 1, whenEmpty: (inout Shared) -> Void = { _ in }) -> [Waiter] {
        state.withLock { state in
            guard !state.waiting.isEmpty else {
                whenEmpty(&state.shared)
                return []
            }
            let taken = state.waiting.prefix(count).map(\.waiter)
            state.waiting.removeFirst(taken.count)
            return taken
        }
    }
}

import Synchronization

/// "Stop gracefully", raised once and awaited by any number of tasks: a partition's work
/// finishes what it has in hand and returns. Waiting takes no polling, and a waiting task
/// that is cancelled returns at once.
public final class StopSignal: Sendable {
    private struct State {
        var raised = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Whether the stop was asked for.
    public var isRaised: Bool { state.withLock { $0.raised } }

    /// Asks for the stop and wakes every waiter; later calls change nothing.
    public func raise() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.raised = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the stop is asked for (at once if it was), or when the task is cancelled.
    public func wait() async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.raised || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Sleeps `duration` on `clock`, returning early when the stop is asked for (or the task
    /// is cancelled).
    public func sleep<C: Clock>(for duration: Duration, on clock: C) async where C.Duration == Duration {
        await withTaskGroup(of: Void.self) { sleeping in
            sleeping.addTask { try? await clock.sleep(for: duration) }
            sleeping.addTask { await self.wait() }
            await sleeping.next()
            sleeping.cancelAll()
        }
    }
}

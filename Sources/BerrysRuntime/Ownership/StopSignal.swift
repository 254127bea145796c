import Synchronization

/// "Stop gracefully", raised once and awaited by any number of tasks: a partition's work
/// finishes what it has in hand and returns. Waiting takes no polling, and a waiting task
/// that is cancelled returns at once. The one such signal of the project: the API's
/// `ListeningSignal` and the commands' `ShutdownSignals` are made of it.
public final class StopSignal: Sendable {
    private struct State {
        var raised = false
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())
    /// The same as `state.raised`, read without the lock: consumers ask on every turn of their loop.
    private let raisedFlag = Atomic<Bool>(false)

    public init() {}

    /// Whether the stop was asked for.
    public var isRaised: Bool { raisedFlag.load(ordering: .acquiring) }

    /// Asks for the stop and wakes every waiter; later calls change nothing.
    public func raise() {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.raised = true
            raisedFlag.store(true, ordering: .releasing)
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// Returns once the stop is asked for (at once if it was), or when the task is cancelled.
    /// - Returns: true when it was asked for, false when the task was cancelled first.
    @discardableResult
    public func wait() async -> Bool {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow: Bool? = state.withLock { state in
                    if state.raised { return true }
                    if Task.isCancelled { return false }
                    state.waiters[id] = continuation
                    return nil
                }
                if let resumeNow { continuation.resume(returning: resumeNow) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: false)
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

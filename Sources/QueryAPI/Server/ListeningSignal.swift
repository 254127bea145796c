import Synchronization

/// Opened once the API's server listens: services that must not start before the API can
/// serve (the projector and workers of `berrys run`) wait for it, and a failure before it
/// opened is a failure to listen (address in use, no permission), not a failure of a request.
public final class ListeningSignal: Sendable {
    private struct State {
        var open = false
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
        var nextID = 0
    }

    // Mutex: opened from the server's event loop, waited on from services' tasks.
    private let state = Mutex(State())

    /// A signal not opened yet.
    public init() {}

    /// True once the server listens.
    public var isOpen: Bool { state.withLock { $0.open } }

    /// Opens the signal; later calls do nothing.
    public func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.open = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// Waits until the signal opens.
    /// - Returns: true when it opened, false when the task was cancelled first.
    public func wait() async -> Bool {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow: Bool? = state.withLock { state in
                    if state.open { return true }
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
}

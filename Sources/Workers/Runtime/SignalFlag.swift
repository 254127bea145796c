import Synchronization

/// A flag raised once from one task and read from others, e.g. "stop gracefully" (stop reading,
/// finish what is in hand, acknowledge, return) or "finished".
final class SignalFlag: Sendable {
    // Atomic: raised by one task, read by others without waiting.
    private let flag = Atomic<Bool>(false)

    func raise() { flag.store(true, ordering: .relaxed) }

    var isRaised: Bool { flag.load(ordering: .relaxed) }

    /// Sleeps up to `seconds`, waking early (within 50 ms) once the flag is raised.
    func sleep(seconds: Double) async throws {
        let end = ContinuousClock.now + .seconds(seconds)
        while !isRaised && ContinuousClock.now < end {
            try await Task.sleep(for: min(.milliseconds(50), end - ContinuousClock.now))
        }
    }
}

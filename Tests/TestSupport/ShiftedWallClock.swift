import BerrysFoundation
import Foundation
import Synchronization

/// The machine's clocks, with a wall time the test can move on: leases, ticks and waits run in
/// real time, while a date the product compares with "now" (a held event's due time, a
/// deadline) can be passed without waiting for it.
public final class ShiftedWallClock: Sendable {
    private let shift = Mutex(Duration.zero)

    public init() {}

    /// The clock to hand to the code under test.
    public var clock: BerrysClock {
        BerrysClock(ContinuousClock(), date: { Date().addingTimeInterval(self.shift.withLock { $0 }.inSeconds) })
    }

    /// Moves the wall time on by `duration` (the monotonic time does not move).
    public func moveWallTime(by duration: Duration) {
        shift.withLock { $0 += duration }
    }
}

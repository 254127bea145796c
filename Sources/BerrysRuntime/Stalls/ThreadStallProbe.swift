import BerrysFoundation
import Foundation
import Synchronization

/// The stall detector's reference probe: a thread of its own (outside Swift's cooperative
/// pool) that sleeps with the operating system and measures how late it wakes. It is late only
/// when the whole process does not get the CPU, so beside the task probe it tells a blocked
/// cooperative pool (ours) from an overloaded machine.
///
/// Real time on purpose: it measures the operating system's scheduling, which no injected clock
/// can stand in for.
final class ThreadStallProbe: Sendable {
    private let stopping = Atomic<Bool>(false)

    /// Starts the thread; `report` is called on it after every wake-up.
    init(interval: Duration, warnAt: Duration,
         report: @escaping @Sendable (StallWake) -> Void) {
        let thread = Thread { [self] in
            Thread.current.name = "berrys-stall-probe"
            let clock = ContinuousClock()
            var probe = StallProbe(start: clock.now, interval: interval, warnAt: warnAt)
            while !stopping.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: max(0, clock.now.duration(to: probe.due).inSeconds))
                report(probe.woke(at: clock.now))
            }
        }
        thread.stackSize = 1 << 18
        thread.start()
    }

    /// Asks the thread to end after its current sleep (at most one interval later).
    func stop() {
        stopping.store(true, ordering: .relaxed)
    }
}

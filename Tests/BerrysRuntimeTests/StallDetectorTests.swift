@testable import BerrysRuntime
import Logging
import Synchronization
import TestSupport
import Testing

/// The stall detector's rules on a manual clock: no sleeping, whatever the machine's load.
@Suite struct StallDetectorTests {
    typealias Instant = ManualClock.Instant
    static func at(_ milliseconds: Int) -> Instant { Instant(offset: .milliseconds(milliseconds)) }

    @Test func aWakeUpOnTimeIsNoStallAndALateOneIsMeasuredFromItsDueTime() {
        var probe = StallProbe(start: Self.at(0), interval: .milliseconds(100), warnAt: .milliseconds(250))
        #expect(probe.due == Self.at(100))
        #expect(probe.woke(at: Self.at(100)) == StallWake(lateness: .zero, isStall: false))
        #expect(probe.woke(at: Self.at(210)) == StallWake(lateness: .milliseconds(10), isStall: false))
        #expect(probe.woke(at: Self.at(560)) == StallWake(lateness: .milliseconds(250), isStall: true), "at warnAt counts")
        #expect(probe.stalls == 1 && probe.worst == .milliseconds(250))
    }

    /// A stall of many intervals is one stall of its full length, and the next wake-up is
    /// planned from when the probe really woke (not a burst of catch-up ticks).
    @Test func aLongStallCountsOnceAndTheNextWakeUpFollowsFromItsEnd() {
        var probe = StallProbe(start: Self.at(0), interval: .milliseconds(100), warnAt: .milliseconds(250))
        #expect(probe.woke(at: Self.at(3100)) == StallWake(lateness: .seconds(3), isStall: true))
        #expect(probe.due == Self.at(3200))
        #expect(probe.woke(at: Self.at(3200)).lateness == .zero)
        #expect(probe.stalls == 1 && probe.worst == .seconds(3))
    }

    @Test func anEarlyWakeUpIsNeverNegativeLateness() {
        var probe = StallProbe(start: Self.at(0), interval: .milliseconds(100), warnAt: .milliseconds(250))
        #expect(probe.woke(at: Self.at(40)).lateness == .zero)
    }

    /// The task probe on a manual clock: time moved on time reports nothing; time that jumps
    /// past a due wake-up (the process did not run) is reported as a stall of that length.
    @Test func theTaskProbeReportsWhatTheClockShows() async throws {
        let clock = ManualClock()
        let stalls = Mutex<[Duration]>([])
        let detector = StallDetector(clock: clock, logger: Logger(label: "test.stalls")) { stall in
            #expect(stall.probe == .task)
            stalls.withLock { $0.append(stall.lateness) }
        }
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await detector.probeTasks() }
            for _ in 0..<5 {
                await clock.waitForSleepers()
                clock.advance(by: .milliseconds(100))
            }
            await clock.waitForSleepers()
            clock.advance(by: .milliseconds(100 + 700))
            await clock.waitForSleepers()
            group.cancelAll()
        }
        #expect(stalls.withLock { $0 } == [.milliseconds(700)])
    }
}

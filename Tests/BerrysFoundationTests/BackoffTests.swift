import BerrysFoundation
import Foundation
import Synchronization
import TestSupport
import Testing

@Suite struct BackoffTests {
    @Test func ceilingGrowsExponentiallyUpToTheMaximum() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 2)
        #expect((0..<6).map { backoff.ceiling(attempt: $0) } == [100, 200, 400, 800, 1000, 1000].map { Duration.milliseconds($0) })
        #expect(backoff.ceiling(attempt: 10_000) == .seconds(1))
    }

    @Test func jitteredDelayStaysWithinHalfToFullCeiling() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
        var random = SeededRandom(state: 42)
        for attempt in 0..<20 {
            let delay = backoff.delay(attempt: attempt, using: &random)
            let top = backoff.ceiling(attempt: attempt)
            #expect(delay >= top / 2 && delay <= top)
        }
    }
}

/// The retry loop on a manual clock: its waits and its time budget without sleeping.
@Suite struct RetryLoopTests {
    struct Transient: Error {}
    struct Permanent: Error {}

    /// Counts attempts and remembers at what time of the clock each began.
    final class Attempts: Sendable {
        private let times = Mutex<[Duration]>([])
        let clock: ManualClock
        init(clock: ManualClock) { self.clock = clock }
        func begin() -> Int { times.withLock { $0.append(clock.now.offset); return $0.count } }
        var count: Int { times.withLock { $0.count } }
        var gaps: [Duration] { times.withLock { times in zip(times, times.dropFirst()).map { $1 - $0 } } }
    }

    let backoff = Backoff(initial: .milliseconds(100), maximum: .milliseconds(400))

    @Test func retriesRetryableErrorsUntilSuccessWaitingTheBackoffBetween() async throws {
        let clock = ManualClock()
        let attempts = Attempts(clock: clock)
        let loop = RetryLoop(backoff: backoff, timeout: .seconds(300), clock: clock.berrysClock())
        let result = try await clock.run(advancingBy: .milliseconds(10)) {
            try await loop.run(isRetryable: { $0 is Transient }) {
                let attempt = attempts.begin()
                if attempt < 5 { throw Transient() }
                return attempt
            }
        }
        #expect(result == 5)
        // Equal jitter: each wait lies in [ceiling/2, ceiling] (rounded up to the 10 ms steps).
        let ceilings = (0..<4).map { backoff.ceiling(attempt: $0) }
        for (gap, ceiling) in zip(attempts.gaps, ceilings) {
            #expect(gap >= ceiling / 2 && gap <= ceiling + .milliseconds(10), "waited \(gap) for a ceiling of \(ceiling)")
        }
    }

    @Test func permanentErrorsAreThrownAtOnce() async throws {
        let clock = ManualClock()
        let attempts = Attempts(clock: clock)
        let loop = RetryLoop(backoff: backoff, timeout: .seconds(300), clock: clock.berrysClock())
        await #expect(throws: Permanent.self) {
            try await loop.run(isRetryable: { $0 is Transient }) { () async throws -> Int in
                _ = attempts.begin()
                throw Permanent()
            }
        }
        #expect(attempts.count == 1)
        #expect(clock.now.offset == .zero)
    }

    @Test func givesUpOnceTheNextWaitWouldPassTheTimeBudget() async throws {
        let clock = ManualClock()
        let attempts = Attempts(clock: clock)
        let loop = RetryLoop(backoff: backoff, timeout: .seconds(2), clock: clock.berrysClock())
        await #expect(throws: Transient.self) {
            try await clock.run(advancingBy: .milliseconds(10)) { () async throws -> Int in
                try await loop.run(isRetryable: { _ in true }) { () async throws -> Int in
                    _ = attempts.begin()
                    throw Transient()
                }
            }
        }
        // No wait started that would have ended past the budget, and it did not stop early:
        // the last attempt came less than one longest wait before the end.
        #expect(clock.now.offset < .seconds(2) + .milliseconds(10))
        #expect(clock.now.offset >= .seconds(2) - .milliseconds(410))
        #expect(attempts.count >= 5, "waits of at most 410 ms fill 1.6 s only from the fifth attempt on")
    }

    @Test func givesUpAfterTheNumberOfAttempts() async throws {
        let clock = ManualClock()
        let attempts = Attempts(clock: clock)
        let loop = RetryLoop(backoff: backoff, budget: .attempts(3), clock: clock.berrysClock())
        await #expect(throws: Transient.self) {
            try await clock.run(advancingBy: .milliseconds(10)) { () async throws -> Int in
                try await loop.run(isRetryable: { _ in true }) { () async throws -> Int in
                    _ = attempts.begin()
                    throw Transient()
                }
            }
        }
        #expect(attempts.count == 3)
    }

    @Test func aRetryAtOnceDoesNotWaitButCountsAsAnAttempt() async throws {
        let clock = ManualClock()
        let attempts = Attempts(clock: clock)
        let loop = RetryLoop(backoff: backoff, budget: .attempts(4), clock: clock.berrysClock())
        await #expect(throws: Transient.self) {
            try await loop.run(deciding: { _ in .atOnce }) { () async throws -> Int in
                _ = attempts.begin()
                throw Transient()
            }
        }
        #expect(attempts.count == 4)
        #expect(clock.now.offset == .zero)
    }

    @Test func anUnlimitedLoopStopsWhenTheErrorIsNoLongerRetryable() async throws {
        let clock = ManualClock()
        let attempts = Attempts(clock: clock)
        let loop = RetryLoop(backoff: backoff, budget: .unlimited, clock: clock.berrysClock())
        let retries = Mutex(0)
        // The caller's own stop condition, asked after each failure: the fifth says it stopped.
        await #expect(throws: Transient.self) {
            try await clock.run(advancingBy: .milliseconds(10)) { () async throws -> Int in
                try await loop.run(isRetryable: { _ in retries.withLock { $0 } < 4 },
                                   onRetry: { _, _ in retries.withLock { $0 += 1 } }) { () async throws -> Int in
                    _ = attempts.begin()
                    throw Transient()
                }
            }
        }
        #expect(attempts.count == 5)
        #expect(retries.withLock { $0 } == 4)
    }

    @Test func aCancelledLoopStopsWaiting() async throws {
        let clock = ManualClock()
        let loop = RetryLoop(backoff: backoff, budget: .unlimited, clock: clock.berrysClock())
        let task = Task {
            try await loop.run(isRetryable: { _ in true }) { () async throws -> Int in throw Transient() }
        }
        await clock.waitForSleepers(1)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}

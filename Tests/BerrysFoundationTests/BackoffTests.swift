import BerrysFoundation
import TestSupport
import Testing

@Suite struct BackoffTests {
    @Test func ceilingGrowsExponentiallyUpToTheMaximum() {
        let backoff = Backoff(initial: 0.1, maximum: 1, multiplier: 2)
        #expect((0..<6).map { backoff.ceiling(attempt: $0) } == [0.1, 0.2, 0.4, 0.8, 1, 1])
        #expect(backoff.ceiling(attempt: 10_000) == 1)
    }

    @Test func jitteredDelayStaysWithinHalfToFullCeiling() {
        let backoff = Backoff(initial: 0.1, maximum: 5)
        var random = SeededRandom(state: 42)
        for attempt in 0..<20 {
            let delay = backoff.delay(attempt: attempt, using: &random)
            let top = backoff.ceiling(attempt: attempt)
            #expect(delay >= top / 2 && delay <= top)
        }
    }
}

@Suite struct RetryLoopTests {
    struct Transient: Error {}
    struct Permanent: Error {}

    actor Counter {
        var value = 0
        func next() -> Int { value += 1; return value }
    }

    @Test func retriesRetryableErrorsUntilSuccess() async throws {
        let counter = Counter()
        let loop = RetryLoop(backoff: Backoff(initial: 0.001, maximum: 0.002), timeout: 300)
        let result = try await loop.run(isRetryable: { $0 is Transient }) {
            let attempt = await counter.next()
            if attempt < 4 { throw Transient() }
            return attempt
        }
        #expect(result == 4)
    }

    @Test func permanentErrorsAreThrownAtOnce() async throws {
        let counter = Counter()
        let loop = RetryLoop(backoff: Backoff(initial: 0.001), timeout: 300)
        await #expect(throws: Permanent.self) {
            try await loop.run(isRetryable: { $0 is Transient }) { () async throws -> Int in
                _ = await counter.next()
                throw Permanent()
            }
        }
        #expect(await counter.value == 1)
    }

    @Test func givesUpAfterTheTimeout() async throws {
        let loop = RetryLoop(backoff: Backoff(initial: 0.01, maximum: 0.02), timeout: 0.1)
        await #expect(throws: Transient.self) {
            try await loop.run(isRetryable: { _ in true }) { () async throws -> Int in throw Transient() }
        }
    }

    @Test func givesUpAfterTheNumberOfAttempts() async throws {
        let counter = Counter()
        let loop = RetryLoop(backoff: Backoff(initial: 0.001, maximum: 0.002), budget: .attempts(3))
        await #expect(throws: Transient.self) {
            try await loop.run(isRetryable: { _ in true }) { () async throws -> Int in
                _ = await counter.next()
                throw Transient()
            }
        }
        #expect(await counter.value == 3)
    }

    @Test func anUnlimitedLoopStopsWhenTheErrorIsNoLongerRetryable() async throws {
        let counter = Counter()
        let loop = RetryLoop(backoff: Backoff(initial: 0.001, maximum: 0.002), budget: .unlimited)
        var retries = 0
        // The caller's own stop condition, asked after each failure: the fifth says it stopped.
        await #expect(throws: Transient.self) {
            try await loop.run(isRetryable: { _ in retries < 4 }, onRetry: { _, _ in retries += 1 }) { () async throws -> Int in
                _ = await counter.next()
                throw Transient()
            }
        }
        #expect(await counter.value == 5)
        #expect(retries == 4)
    }
}

import BerrysFoundation
import Logging
import Testing
import Workers

/// Always the middle of the range. It has a stored property on purpose: as an empty
/// (zero-sized) struct, an `inout` access to it inside `#expect` crashed the thread sanitizer
/// (SEGV computing the shadow of the placeholder address Swift passes for zero-sized values).
struct FixedRandom: RandomNumberGenerator {
    var value = UInt64.max / 2
    mutating func next() -> UInt64 { value }
}

@Suite struct DeliveryPolicyTests {
    let policy = DeliveryPolicy(maxDeliveries: 3, backoff: Backoff(initial: .seconds(1), maximum: .seconds(8)))

    /// Expected, self-resolving retries do not look like faults; retries that persist do.
    @Test func briefTransientRetriesAreQuietAndPersistentOnesWarn() {
        let policy = DeliveryPolicy()
        #expect((1...DeliveryPolicy.quietTransientRetries).allSatisfy { policy.logLevel(for: .transient, attempt: $0) == .debug })
        #expect(policy.logLevel(for: .transient, attempt: DeliveryPolicy.quietTransientRetries + 1) == .warning)
        #expect(policy.logLevel(for: .permanent, attempt: 1) == .warning)
    }

    @Test func transientFailuresAreRetriedWithoutLimitAndGrowingDelays() {
        var random = FixedRandom()
        var delays: [Duration] = []
        for attempt in 1...10 {
            guard case .retry(let delay) = policy.afterFailure(.transient, attempt: attempt, using: &random) else {
                Issue.record("attempt \(attempt) of a transient failure was not retried")
                return
            }
            delays.append(delay)
        }
        #expect(delays == delays.sorted())
        #expect(delays.last! <= .seconds(8) && delays.last! >= .seconds(4))
    }

    @Test func aRetryAfterIsTheLeastDelayOfATransientRetry() {
        var random = FixedRandom()
        #expect(policy.afterFailure(.transient, attempt: 1, retryAfter: .seconds(20), using: &random) == .retry(after: .seconds(20)))
        guard case .retry(let delay) = policy.afterFailure(.transient, attempt: 9, retryAfter: .milliseconds(500), using: &random) else {
            Issue.record("not retried"); return
        }
        #expect(delay >= .seconds(4), "a short Retry-After does not shorten the backoff: \(delay)")
        #expect(FailureClassifier.kind(of: WorkerError.throttled("429", retryAfter: .seconds(3))) == .transient)
        #expect(FailureClassifier.retryAfter(of: WorkerError.throttled("429", retryAfter: .seconds(3))) == .seconds(3))
        #expect(FailureClassifier.retryAfter(of: WorkerError.transient("down")) == nil)
    }

    @Test func permanentFailuresAreParkedAtMaxDeliveries() {
        var random = FixedRandom()
        #expect(policy.afterFailure(.permanent, attempt: 1, using: &random) != .park(.maxDeliveries))
        #expect(policy.afterFailure(.permanent, attempt: 2, using: &random) != .park(.maxDeliveries))
        #expect(policy.afterFailure(.permanent, attempt: 3, using: &random) == .park(.maxDeliveries))
    }

    @Test func invalidEntriesAreParkedAtOnce() {
        var random = FixedRandom()
        #expect(policy.afterFailure(.invalid, attempt: 1, using: &random) == .park(.invalid))
    }

    @Test func claimedEntriesThatKeepKillingConsumersAreParked() {
        #expect(policy.onClaim(deliveryCount: 1) == .process)
        #expect(policy.onClaim(deliveryCount: 3) == .process)
        #expect(policy.onClaim(deliveryCount: 4) == .park(.crashLoop))
    }
}

@Suite struct KeyOrderTests {
    @Test func oneEventPerKeyRunsAndLaterOnesWaitInOrder() {
        var order = KeyOrder<Int>()
        #expect(order.admit(1, key: "a") == .run)
        #expect(order.admit(2, key: "b") == .run)
        #expect(order.admit(3, key: "a") == .wait)
        #expect(order.admit(4, key: "a") == .wait)
        #expect(order.finished(key: "a") == 3)
        #expect(order.finished(key: "a") == 4)
        #expect(order.finished(key: "a") == nil)
        #expect(order.busyKeys == ["b"])
        #expect(order.admit(5, key: "a") == .run)
    }

    @Test func waitingEventsOfManyKeysComeBackPerKeyInLogOrder() {
        var order = KeyOrder<Int>()
        for (entry, key) in [(1, "a"), (2, "b"), (3, "a"), (4, "b"), (5, "a"), (6, "c")] {
            _ = order.admit(entry, key: key)
        }
        #expect(order.waitingCount == 3)
        #expect(order.busyKeys == ["a", "b", "c"])
        #expect(order.finished(key: "b") == 4)
        #expect(order.finished(key: "a") == 3)
        #expect(order.finished(key: "c") == nil)
        #expect(order.finished(key: "a") == 5)
        #expect(order.waitingCount == 0)
        #expect(order.busyKeys == ["a", "b"])
    }
}

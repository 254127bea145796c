import ClientSupport
import Testing
import Workers

struct FixedRandom: RandomNumberGenerator {
    mutating func next() -> UInt64 { UInt64.max / 2 }
}

@Suite struct DeliveryPolicyTests {
    let policy = DeliveryPolicy(maxDeliveries: 3, backoff: Backoff(initial: 1, maximum: 8))

    @Test func transientFailuresAreRetriedWithoutLimitAndGrowingDelays() {
        var random = FixedRandom()
        var delays: [Double] = []
        for attempt in 1...10 {
            guard case .retry(let delay) = policy.afterFailure(.transient, attempt: attempt, using: &random) else {
                Issue.record("attempt \(attempt) of a transient failure was not retried")
                return
            }
            delays.append(delay)
        }
        #expect(delays == delays.sorted())
        #expect(delays.last! <= 8 && delays.last! >= 4)
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

    @Test func parkingAKeyParksItsWaitingAndLaterEventsUntilReleased() {
        var order = KeyOrder<Int>()
        #expect(order.admit(1, key: "a") == .run)
        #expect(order.admit(2, key: "a") == .wait)
        #expect(order.admit(3, key: "b") == .run)
        #expect(order.parked(key: "a") == [2])
        #expect(order.isParked("a"))
        #expect(order.admit(4, key: "a") == .parkBehind)
        #expect(order.admit(5, key: "b") == .wait)
        order.release(key: "a")
        #expect(order.admit(6, key: "a") == .run)
    }
}

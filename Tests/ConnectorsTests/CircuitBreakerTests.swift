import Connectors
import Testing

/// The circuit breaker's rules, without sockets or clocks: instants are made up.
@Suite struct CircuitBreakerTests {
    typealias Breaker = CircuitBreaker<ContinuousClock.Instant>
    let start = ContinuousClock.now

    func at(_ seconds: Int) -> ContinuousClock.Instant { start.advanced(by: .seconds(seconds)) }

    @Test func itOpensAfterFiveFailuresInARowAndSendsNothingWhileOpen() {
        var breaker = Breaker()
        for second in 0..<4 {
            #expect(breaker.admit(now: at(second)) == .send)
            breaker.failed(now: at(second))
        }
        #expect(breaker.state == .closed(consecutiveFailures: 4))
        breaker.failed(now: at(4))
        #expect(breaker.state == .open(until: at(34)))
        #expect(breaker.state.kind == .open)
        for second in [5, 20, 33] { #expect(breaker.admit(now: at(second)) == .wait(until: at(34))) }
    }

    @Test func aSuccessStartsTheCountOver() {
        var breaker = Breaker()
        for _ in 0..<4 { breaker.failed(now: at(0)) }
        breaker.succeeded()
        for _ in 0..<4 { breaker.failed(now: at(1)) }
        #expect(breaker.state == .closed(consecutiveFailures: 4))
    }

    @Test func afterTheRecoveryTimeoutOneProbeGoesAndItsOutcomeDecides() {
        var breaker = Breaker(configuration: .init(failureThreshold: 2, recoveryTimeout: .seconds(10)))
        breaker.failed(now: at(0))
        breaker.failed(now: at(0))
        #expect(breaker.admit(now: at(10)) == .probe)
        #expect(breaker.state == .halfOpen(probing: true))
        #expect(breaker.admit(now: at(10)) == .wait(until: nil), "one probe at a time")
        // The probe fails: open for another recovery timeout.
        breaker.failed(now: at(11))
        #expect(breaker.state == .open(until: at(21)))
        #expect(breaker.admit(now: at(21)) == .probe)
        breaker.succeeded()
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        #expect(breaker.admit(now: at(22)) == .send)
    }

    @Test func lateFailuresOfAnOpenBreakerDoNotPushItsRecoveryBack() {
        var breaker = Breaker(configuration: .init(failureThreshold: 1, recoveryTimeout: .seconds(30)))
        breaker.failed(now: at(0))
        breaker.failed(now: at(5))  // a delivery sent before it opened
        #expect(breaker.state == .open(until: at(30)))
    }

    @Test func anAbandonedProbeLetsTheNextDeliveryProbe() {
        var breaker = Breaker(configuration: .init(failureThreshold: 1, recoveryTimeout: .seconds(1)))
        breaker.failed(now: at(0))
        #expect(breaker.admit(now: at(1)) == .probe)
        breaker.probeAbandoned()
        #expect(breaker.admit(now: at(1)) == .probe)
    }
}

import BerrysFoundation
@testable import Connectors
import Synchronization
import TestSupport
import Testing
import Workers

/// The circuit breaker's rules, without sockets or clocks: instants are made up.
@Suite struct CircuitBreakerTests {
    typealias Breaker = CircuitBreaker<BerrysClock.Instant>
    let start = BerrysClock.Instant(offset: .seconds(1000))

    func at(_ seconds: Int) -> BerrysClock.Instant { start.advanced(by: .seconds(seconds)) }

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

    /// A connector's breaker on a manual clock: open for its recovery time, then one probe;
    /// the deliveries behind the probe wait for its answer (no polling) and go on after it.
    @Test func deliveriesHeldBehindTheProbeWaitForItsAnswer() async throws {
        let clock = ManualClock()
        let reports = Mutex<[CircuitState]>([])
        let breaker = EndpointBreaker(configuration: .init(failureThreshold: 1, recoveryTimeout: .seconds(30)), clock: clock.berrysClock(),
                                      metrics: ConnectorMetrics(connector: "probe-test"), consumer: "c") { status in
            reports.withLock { $0.append(status.state) }
        }
        #expect(await breaker.admit() == .send)
        await breaker.failed()
        guard case .wait(let until?) = await breaker.admit() else { Issue.record("not open"); return }
        #expect(until.offset == .seconds(30), "open for the recovery time")
        clock.advance(by: .seconds(30))
        #expect(await breaker.admit() == .probe)
        #expect(await breaker.admit() == CircuitBreaker<BerrysClock.Instant>.Admission.wait(until: nil))
        async let heldBehind: Void = breaker.waitForProbe()
        while breaker.probeWaiterCount == 0 { await Task.yield() }
        await breaker.succeeded()
        await heldBehind
        #expect(await breaker.admit() == .send)
        #expect(reports.withLock { $0 } == [CircuitState.closed, .open, .halfOpen, .closed], "each change reported once, the first state too")
    }
}

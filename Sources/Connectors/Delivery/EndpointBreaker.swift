import BerrysFoundation
import Foundation
import RedisClient
import Workers

/// The circuit breaker of one connector's endpoint in this process: the pure
/// `CircuitBreaker` on the process's clock, with its state reported to the metrics and, for
/// `berrys status` and `/v1/workers`, to Redis whenever it changes.
actor EndpointBreaker {
    private var breaker: CircuitBreaker<BerrysClock.Instant>
    private let clock: BerrysClock
    private let metrics: ConnectorMetrics
    private let report: @Sendable (CircuitStatus) async -> Void
    private let consumer: String
    private var reported: (state: CircuitState, failures: Int)?
    /// Deliveries waiting for the probe out now to come back; the shared count is how many
    /// probes came back so far (a waiter that read it before one came back does not wait).
    private nonisolated let probeWaiters = WaiterQueue<Void, Void, Int>(0)

    init(configuration: CircuitBreaker<BerrysClock.Instant>.Configuration, clock: BerrysClock, metrics: ConnectorMetrics, consumer: String,
         report: @escaping @Sendable (CircuitStatus) async -> Void) {
        self.breaker = CircuitBreaker(configuration: configuration)
        self.clock = clock
        self.metrics = metrics
        self.consumer = consumer
        self.report = report
    }

    /// Whether a delivery may be sent now.
    func admit() async -> CircuitBreaker<BerrysClock.Instant>.Admission {
        let admission = breaker.admit(now: clock.now)
        await changed()
        return admission
    }

    func succeeded() async {
        breaker.succeeded()
        wakeProbeWaiters()
        await changed()
    }

    func failed() async {
        breaker.failed(now: clock.now)
        wakeProbeWaiters()
        await changed()
    }

    func probeAbandoned() async {
        breaker.probeAbandoned()
        wakeProbeWaiters()
        await changed()
    }

    /// Returns once the probe out now has come back (or at once when none is out), or when
    /// the caller is cancelled: a delivery held behind a probe asks again then, instead of
    /// polling.
    func waitForProbe() async {
        guard case .halfOpen(probing: true) = breaker.state else { return }
        let probesBack = probeWaiters.withShared { $0 }
        _ = try? await probeWaiters.wait(with: ()) { $0 == probesBack ? .wait : .now(()) }
    }

    /// How many deliveries wait for the probe now (for tests).
    nonisolated var probeWaiterCount: Int { probeWaiters.count }

    private func wakeProbeWaiters() {
        probeWaiters.withShared { $0 += 1 }
        for waiter in probeWaiters.take(upTo: Int.max) { waiter.resume(()) }
    }

    var state: CircuitState { breaker.state.kind }

    private func changed() async {
        let failures: Int
        var openUntil: Double?
        switch breaker.state {
        case .closed(let count): failures = count
        case .open(let until):
            failures = breaker.configuration.failureThreshold
            openUntil = clock.date.timeIntervalSince1970 + clock.now.duration(to: until).inSeconds
        case .halfOpen: failures = breaker.configuration.failureThreshold
        }
        let name = breaker.state.kind
        guard reported.map({ $0.state != name || $0.failures != failures }) ?? true else { return }
        reported = (name, failures)
        metrics.circuitState.record(ConnectorMetrics.value(of: name))
        await report(CircuitStatus(consumer: consumer, state: name, consecutiveFailures: failures, openUntil: openUntil,
                                   updatedAt: clock.date.timeIntervalSince1970))
    }
}

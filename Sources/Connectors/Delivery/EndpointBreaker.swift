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
        await changed()
    }

    func failed() async {
        breaker.failed(now: clock.now)
        await changed()
    }

    func probeAbandoned() async {
        breaker.probeAbandoned()
        await changed()
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

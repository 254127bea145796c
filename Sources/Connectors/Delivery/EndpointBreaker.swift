import BerrysFoundation
import Foundation
import RedisClient
import Workers

/// The circuit breaker of one connector's endpoint in this process: the pure
/// `CircuitBreaker` on the continuous clock, with its state reported to the metrics and, for
/// `berrys status` and `/v1/workers`, to Redis whenever it changes.
actor EndpointBreaker {
    typealias Clock = ContinuousClock
    private var breaker: CircuitBreaker<Clock.Instant>
    private let metrics: ConnectorMetrics
    private let report: @Sendable (CircuitStatus) async -> Void
    private let consumer: String
    private var reported: (state: CircuitState, failures: Int)?

    init(configuration: CircuitBreaker<Clock.Instant>.Configuration, metrics: ConnectorMetrics, consumer: String,
         report: @escaping @Sendable (CircuitStatus) async -> Void) {
        self.breaker = CircuitBreaker(configuration: configuration)
        self.metrics = metrics
        self.consumer = consumer
        self.report = report
    }

    /// Whether a delivery may be sent now.
    func admit() async -> CircuitBreaker<Clock.Instant>.Admission {
        let admission = breaker.admit(now: .now)
        await changed()
        return admission
    }

    func succeeded() async {
        breaker.succeeded()
        await changed()
    }

    func failed() async {
        breaker.failed(now: .now)
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
            openUntil = Date().timeIntervalSince1970 + (until - .now).inSeconds
        case .halfOpen: failures = breaker.configuration.failureThreshold
        }
        let name = breaker.state.kind
        guard reported.map({ $0.state != name || $0.failures != failures }) ?? true else { return }
        reported = (name, failures)
        metrics.circuitState.record(ConnectorMetrics.value(of: name))
        await report(CircuitStatus(consumer: consumer, state: name, consecutiveFailures: failures, openUntil: openUntil,
                                   updatedAt: Date().timeIntervalSince1970))
    }
}

import AsyncHTTPClient
import BerrysFoundation
import EventLog
import Foundation
import NIOCore
import NIOHTTP1
import Workers

/// Delivers a connector's events to its receiver: a consumer-group worker (`connector-<name>`),
/// so per-key order, leases, retries, takeover and dead letters come with the runtime.
///
/// Each event is one HTTP POST (`WebhookRequest`), sent when the endpoint's breaker admits it
/// and a slot of `max_in_flight` is free. The answer decides (`WebhookOutcome`): delivered;
/// transient (`WorkerError.transient`, or `.throttled` after a 429's `Retry-After`), retried
/// with backoff and never counted; other 4xx `WorkerError.rejected`, dead-lettered at once
/// with the status and the start of the body. While the breaker is open the handler waits:
/// the event stays pending, neither acknowledged nor dead-lettered.
public struct WebhookWorker: Worker {
    public let connector: ConnectorDefinition
    public let handledTypes: Set<String>
    public var name: String { connector.workerName }
    /// Up to `max_in_flight` events of a partition on their way at once, one per task (the
    /// limit holds over all partitions too).
    public var concurrentDeliveries: Int? { connector.maxInFlight }

    private let client: HTTPClient
    private let breaker: EndpointBreaker
    private let limit: InFlightLimit
    private let metrics: ConnectorMetrics
    private let clock: BerrysClock

    /// - Parameters:
    ///   - knownTypes: the registry's types, which the connector's filters select from.
    ///   - clock: what the breaker's timeouts and the signatures' timestamps read.
    ///   - report: where breaker changes go (`CircuitStatus.write`, best effort).
    init(connector: ConnectorDefinition, knownTypes: Set<String>, client: HTTPClient, consumer: String, clock: BerrysClock,
         report: @escaping @Sendable (CircuitStatus) async -> Void) {
        self.connector = connector
        self.handledTypes = connector.handledTypes(among: knownTypes)
        self.client = client
        self.metrics = ConnectorMetrics(connector: connector.name)
        self.clock = clock
        self.breaker = EndpointBreaker(configuration: .init(failureThreshold: connector.failureThreshold, recoveryTimeout: connector.recoveryTimeout),
                                       clock: clock,
                                       metrics: metrics, consumer: consumer, report: report)
        self.limit = InFlightLimit(limit: connector.maxInFlight)
    }

    public func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft] {
        let outcome = try await limit.run { try await deliverWhenAdmitted(event) }
        switch outcome {
        case .delivered:
            return []
        case .transient(let reason, let retryAfter):
            if let retryAfter { throw WorkerError.throttled(reason, retryAfter: retryAfter) }
            throw WorkerError.transient(reason)
        case .permanent(let reason):
            throw WorkerError.rejected(reason)
        }
    }

    /// The breaker's state in this process.
    public func circuitState() async -> CircuitState { await breaker.state }

    /// Waits for the breaker, sends, and tells the breaker how it went.
    private func deliverWhenAdmitted(_ event: EventEnvelope) async throws -> WebhookOutcome {
        var held = false
        while true {
            switch await breaker.admit() {
            case .send:
                return try await send(event, isProbe: false)
            case .probe:
                return try await send(event, isProbe: true)
            case .wait(let until):
                if !held { metrics.heldByBreaker.increment() }
                held = true
                // Open: until the probe may go. Half-open with the probe out: until it comes back.
                if let until {
                    try await clock.sleep(for: min(max(.milliseconds(1), clock.now.duration(to: until)), .seconds(1)))
                } else {
                    await breaker.waitForProbe()
                    try Task.checkCancellation()
                }
            }
        }
    }

    private func send(_ event: EventEnvelope, isProbe: Bool) async throws -> WebhookOutcome {
        let started = DispatchTime.now()
        let outcome: WebhookOutcome
        do {
            outcome = try await post(event)
        } catch is CancellationError {
            if isProbe { await breaker.probeAbandoned() }
            throw CancellationError()
        } catch {
            if Task.isCancelled {
                if isProbe { await breaker.probeAbandoned() }
                throw CancellationError()
            }
            outcome = .noAnswer("no answer from \(connector.url.absoluteString): \(error)")
        }
        metrics.latency.recordInterval(since: started)
        switch outcome {
        case .delivered: metrics.delivered.increment()
        case .transient: metrics.transient.increment()
        case .permanent: metrics.rejected.increment()
        }
        // A refusal (4xx) says the receiver is up: it counts for the endpoint's health.
        if outcome.countsAgainstEndpoint { await breaker.failed() } else { await breaker.succeeded() }
        return outcome
    }

    private func post(_ event: EventEnvelope) async throws -> WebhookOutcome {
        let request = WebhookRequest(event: event, connector: connector, timestamp: Int(clock.date.timeIntervalSince1970))
        var http = HTTPClientRequest(url: connector.url.absoluteString)
        http.method = .POST
        for header in request.headers { http.headers.add(name: header.name, value: header.value) }
        http.body = .bytes(ByteBuffer(bytes: request.body))
        let response = try await client.execute(http, timeout: .nanoseconds(Int64(connector.timeout.inSeconds * 1e9)))
        var start: [UInt8] = []
        for try await chunk in response.body where start.count < WebhookOutcome.bodyPrefixLength {
            start += chunk.readableBytesView.prefix(WebhookOutcome.bodyPrefixLength - start.count)
        }
        return WebhookOutcome.of(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"), body: start, now: clock.date)
    }
}

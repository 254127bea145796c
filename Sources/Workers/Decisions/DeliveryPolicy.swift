import BerrysFoundation
import Logging

/// How a handler failed, which decides whether it counts against `maxDeliveries`.
public enum FailureKind: Sendable, Hashable {
    /// A dependency is unreachable or slow (I/O, timeouts, Redis or PostgreSQL down): retried
    /// with backoff for as long as it lasts, never counted.
    case transient
    /// The handler cannot process this event (it said so, or its data is wrong): counted.
    case permanent
    /// The entry is not a valid event at all (bad envelope or schema): parked at once.
    case invalid
    /// Another service refused this event for good (say, a webhook's 400): parked at once,
    /// since trying again would get the same answer.
    case rejected
}

/// Why an event was moved to the dead-letter stream.
public enum ParkReason: String, Sendable, Hashable {
    /// It failed permanently `maxDeliveries` times.
    case maxDeliveries = "max_deliveries"
    /// It was delivered more than `maxDeliveries` times without a reported failure: it keeps
    /// killing consumers (crash loop).
    case crashLoop = "crash_loop"
    /// It is not a valid event.
    case invalid
    /// Another service refused it for good (the error names the answer, e.g. `HTTP 400: …`).
    case rejected
    /// An earlier event of its partition key is parked; it waits behind it to keep the order.
    case behindParkedKey = "behind_parked_key"
}

/// What to do with a delivery after a failure or when it is claimed.
public enum DeliveryDecision: Sendable, Hashable {
    /// Run the handler (again) now.
    case process
    /// Leave it pending and run it again after this long.
    case retry(after: Duration)
    /// Move it to the dead-letter stream.
    case park(ParkReason)
}

/// The retry and dead-letter rules of a worker, as a pure value: it decides, it does no I/O.
public struct DeliveryPolicy: Sendable, Hashable {
    /// Permanent failures (and deliveries) allowed before an event is parked.
    public var maxDeliveries: Int
    /// Delays between retries.
    public var backoff: Backoff

    /// - Parameters:
    ///   - maxDeliveries: counted failures (or deliveries) before parking; at least 1.
    ///   - backoff: delays between retries.
    public init(maxDeliveries: Int = 5, backoff: Backoff = .handlerRetry) {
        self.maxDeliveries = max(1, maxDeliveries)
        self.backoff = backoff
    }

    /// Transient retries that are expected and resolve themselves (a worker whose view is a
    /// moment behind another partition, a conflict its retry resolves: the demo shows several)
    /// are logged at debug; from this retry on, the failure persists and is a warning.
    public static let quietTransientRetries = 3

    /// The level a retry after a failure is logged at: debug for the first
    /// `quietTransientRetries` transient ones, warning for the rest and for every other kind.
    public func logLevel(for kind: FailureKind, attempt: Int) -> Logger.Level {
        kind == .transient && attempt <= Self.quietTransientRetries ? .debug : .warning
    }

    /// After the handler failed on the `attempt`-th delivery (1-based) of an event.
    /// - Parameters:
    ///   - retryAfter: the least delay the failure asked for (`Retry-After`); a transient
    ///     retry waits at least that long, however early its backoff would be.
    ///   - random: the jitter source, injectable for tests.
    public func afterFailure<R: RandomNumberGenerator>(_ kind: FailureKind, attempt: Int, retryAfter: Duration? = nil,
                                                       using random: inout R) -> DeliveryDecision {
        switch kind {
        case .invalid:
            return .park(.invalid)
        case .rejected:
            return .park(.rejected)
        case .transient:
            return .retry(after: max(backoff.delay(attempt: attempt - 1, using: &random), retryAfter ?? .zero))
        case .permanent:
            guard attempt < maxDeliveries else { return .park(.maxDeliveries) }
            return .retry(after: backoff.delay(attempt: attempt - 1, using: &random))
        }
    }

    /// When an idle pending entry is claimed from another consumer: the delivery count from the
    /// pending list includes deliveries to consumers that died without reporting, so an event
    /// that keeps killing consumers is parked instead of retried forever.
    public func onClaim(deliveryCount: Int) -> DeliveryDecision {
        deliveryCount > maxDeliveries ? .park(.crashLoop) : .process
    }
}

import Workers

/// One endpoint's circuit breaker, as a pure value: deliveries ask it whether they may be sent,
/// and tell it how they ended.
///
/// - **Closed**: everything is sent; `failureThreshold` failures in a row open it.
/// - **Open**: nothing is sent (deliveries wait, pending: neither acknowledged nor
///   dead-lettered) until `recoveryTimeout` has passed since it opened.
/// - **Half-open**: one probe is sent; the others wait for its outcome. Success closes the
///   breaker, failure opens it again for another `recoveryTimeout`.
///
/// The platform's service guide asks for 5 failures and 30 s, the defaults.
public struct CircuitBreaker<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public struct Configuration: Sendable, Hashable {
        public var failureThreshold: Int
        public var recoveryTimeout: Duration

        public init(failureThreshold: Int = 5, recoveryTimeout: Duration = .seconds(30)) {
            self.failureThreshold = max(1, failureThreshold)
            self.recoveryTimeout = recoveryTimeout
        }
    }

    public enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(until: Instant)
        /// `probing`: the probe is on its way.
        case halfOpen(probing: Bool)

        /// The state as `berrys status` and the metrics name it.
        public var kind: CircuitState {
            switch self {
            case .closed: return .closed
            case .open: return .open
            case .halfOpen: return .halfOpen
            }
        }
    }

    /// What a delivery may do now.
    public enum Admission: Sendable, Equatable {
        /// Send it.
        case send
        /// Send it as the probe of a half-open breaker.
        case probe
        /// Do not send it; ask again at this instant (or, while a probe is out, when it ends).
        case wait(until: Instant?)
    }

    public let configuration: Configuration
    public private(set) var state: State = .closed(consecutiveFailures: 0)

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether a delivery may be sent at `now`.
    public mutating func admit(now: Instant) -> Admission {
        switch state {
        case .closed:
            return .send
        case .open(let until):
            guard now >= until else { return .wait(until: until) }
            state = .halfOpen(probing: true)
            return .probe
        case .halfOpen(let probing):
            guard !probing else { return .wait(until: nil) }
            state = .halfOpen(probing: true)
            return .probe
        }
    }

    /// A delivery (or the probe) succeeded.
    public mutating func succeeded() {
        state = .closed(consecutiveFailures: 0)
    }

    /// A delivery (or the probe) failed at `now`, in a way that counts against the endpoint
    /// (a 5xx, a timeout, a refused connection, a 429; not a 4xx that rejects the event itself).
    public mutating func failed(now: Instant) {
        switch state {
        case .closed(let failures):
            let count = failures + 1
            state = count >= configuration.failureThreshold ? .open(until: now.advanced(by: configuration.recoveryTimeout))
                : .closed(consecutiveFailures: count)
        case .open:
            break  // failures of deliveries sent before it opened change nothing
        case .halfOpen:
            state = .open(until: now.advanced(by: configuration.recoveryTimeout))
        }
    }

    /// A probe ended without an outcome for the endpoint (say, the delivery was cancelled):
    /// the next delivery may probe instead.
    public mutating func probeAbandoned() {
        if case .halfOpen = state { state = .halfOpen(probing: false) }
    }
}

import Workers
import Metrics

/// The metrics of one connector, labelled with its name.
struct ConnectorMetrics: Sendable {
    /// 0 closed, 1 half-open, 2 open.
    let circuitState: Gauge
    let delivered: Counter
    let transient: Counter
    let rejected: Counter
    /// Deliveries that had to wait for the breaker (open, or half-open with the probe out), once per wait.
    let heldByBreaker: Counter
    let latency: Metrics.Timer

    init(connector: String) {
        let dimensions = [("connector", connector)]
        circuitState = Gauge(label: "berrys_connector_circuit_state", dimensions: dimensions)
        func deliveries(_ outcome: String) -> Counter {
            Counter(label: "berrys_connector_deliveries_total", dimensions: dimensions + [("outcome", outcome)])
        }
        delivered = deliveries("delivered")
        transient = deliveries("transient")
        rejected = deliveries("rejected")
        heldByBreaker = Counter(label: "berrys_connector_held_by_breaker_total", dimensions: dimensions)
        latency = Metrics.Timer(label: "berrys_connector_delivery_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
    }

    /// The gauge's value of a breaker state.
    static func value(of state: CircuitState) -> Int {
        switch state {
        case .open: return 2
        case .halfOpen: return 1
        case .closed: return 0
        }
    }
}

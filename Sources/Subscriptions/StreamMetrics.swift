import Metrics

/// The live stream's metrics: subscribers now, messages sent, subscribers that overflowed.
struct StreamMetrics: Sendable {
    let subscribers = Gauge(label: "berrys_stream_subscribers")
    let eventsSent = Counter(label: "berrys_stream_events_sent_total")
    let overflows = Counter(label: "berrys_stream_overflows_total")
}

import Metrics

/// The metrics of one worker, labelled with its name (exported by whatever swift-metrics
/// backend the process bootstraps, e.g. Prometheus on the API's `/metrics`).
struct WorkerMetrics: Sendable {
    let processed: Counter
    let failed: Counter
    let retried: Counter
    let deadLettered: Counter
    /// Partition leases this process lost while consuming (it stalled past them, or Redis
    /// lost them): what was in a handler then is delivered again.
    let leasesLost: Counter
    let handlerLatency: Metrics.Timer

    init(worker: String) {
        let dimensions = [("worker", worker)]
        processed = Counter(label: "berrys_worker_events_processed_total", dimensions: dimensions)
        failed = Counter(label: "berrys_worker_events_failed_total", dimensions: dimensions)
        retried = Counter(label: "berrys_worker_events_retried_total", dimensions: dimensions)
        deadLettered = Counter(label: "berrys_worker_events_dead_lettered_total", dimensions: dimensions)
        leasesLost = Counter(label: "berrys_worker_leases_lost_total", dimensions: dimensions)
        handlerLatency = Metrics.Timer(label: "berrys_worker_handler_duration_seconds", dimensions: dimensions,
                                       preferredDisplayUnit: .seconds)
    }

    /// Lag gauges of one partition.
    static func lag(worker: String, partition: Int) -> (entries: Gauge, seconds: Gauge) {
        let dimensions = [("worker", worker), ("partition", String(partition))]
        return (Gauge(label: "berrys_worker_lag_entries", dimensions: dimensions),
                Gauge(label: "berrys_worker_lag_seconds", dimensions: dimensions))
    }
}

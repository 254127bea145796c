import BerrysFoundation

/// How the workers of a process consume. Times are `Duration`s; the command line keeps its
/// documented units (seconds) at the edge.
public struct WorkerSettings: Sendable {
    /// Events processed at once per worker and partition (keeping per-key order).
    public var concurrency: Int
    /// The most entries read per XREADGROUP.
    public var batchSize: Int
    /// How long one XREADGROUP waits for new entries (at most a second, at least a millisecond).
    public var block: Duration
    /// An entry pending this long on a consumer that is gone is claimed by another.
    public var visibilityTimeout: Duration
    /// How long a partition lease lasts without renewal.
    public var lease: Duration
    /// Retry and dead-letter rules.
    public var policy: DeliveryPolicy
    /// How long a graceful stop waits for events in flight before abandoning them.
    public var shutdownGrace: Duration
    /// Where a worker's consumer group starts when it is created.
    public var start: GroupStart

    public init(concurrency: Int = 2, batchSize: Int = 200, block: Duration = .seconds(1), visibilityTimeout: Duration = .seconds(30),
                lease: Duration = .seconds(10), policy: DeliveryPolicy = DeliveryPolicy(), shutdownGrace: Duration = .seconds(5),
                start: GroupStart = .beginning) {
        self.start = start
        self.concurrency = max(1, concurrency)
        self.batchSize = max(1, batchSize)
        self.block = min(.seconds(1), max(.milliseconds(1), block))
        self.visibilityTimeout = visibilityTimeout
        self.lease = lease
        self.policy = policy
        self.shutdownGrace = shutdownGrace
    }

    /// `block` in whole milliseconds, as XREADGROUP BLOCK takes it.
}

import BerrysFoundation

/// How the workers of a process consume.
public struct WorkerSettings: Sendable {
    /// Events processed at once per worker and partition (keeping per-key order).
    public var concurrency: Int
    /// The most entries read per XREADGROUP.
    public var batchSize: Int
    /// How long one XREADGROUP waits for new entries, in milliseconds (≤ 1000).
    public var blockMilliseconds: Int
    /// An entry pending this long, in seconds, on a consumer that is gone is claimed by another.
    public var visibilityTimeout: Double
    /// How long a partition lease lasts without renewal, in seconds.
    public var leaseSeconds: Double
    /// Retry and dead-letter rules.
    public var policy: DeliveryPolicy
    /// How long a graceful stop waits for events in flight, in seconds, before abandoning them.
    public var shutdownGrace: Double
    /// Where a worker's consumer group starts when it is created.
    public var start: GroupStart

    public init(concurrency: Int = 2, batchSize: Int = 200, blockMilliseconds: Int = 1000, visibilityTimeout: Double = 30,
                leaseSeconds: Double = 10, policy: DeliveryPolicy = DeliveryPolicy(), shutdownGrace: Double = 5,
                start: GroupStart = .beginning) {
        self.start = start
        self.concurrency = max(1, concurrency)
        self.batchSize = max(1, batchSize)
        self.blockMilliseconds = min(1000, max(1, blockMilliseconds))
        self.visibilityTimeout = visibilityTimeout
        self.leaseSeconds = leaseSeconds
        self.policy = policy
        self.shutdownGrace = shutdownGrace
    }
}

import EventLog

/// The Redis keys of one worker on one partition; all carry the partition's hash tag `{p}`,
/// so the dead-letter functions touch a single slot in Redis Cluster.
public struct WorkerKeys: Sendable, Hashable {
    /// The log's key prefix.
    public let namespace: String
    /// The worker's name.
    public let worker: String
    /// The partition.
    public let partition: Int

    /// The keys of `worker` on `partition` of the log in `namespace`.
    public init(namespace: String, worker: String, partition: Int) {
        self.namespace = namespace
        self.worker = worker
        self.partition = partition
    }

    var tag: String { LogKeys.hashTag(partition: partition) }
    /// The partition's event stream.
    public var stream: String { LogKeys(namespace: namespace).stream(partition: partition) }
    /// The consumer group on `stream`.
    public var group: String { worker }
    /// Parked events, oldest first.
    public var deadLetters: String { "\(namespace):dlq:\(worker):\(tag)" }
    /// Events moved out of the DLQ by `dlq retry` (or released by a drop), processed before new events.
    public var retries: String { "\(namespace):dlq-retry:\(worker):\(tag)" }
    /// Dropped dead letters, kept with who dropped them and when.
    public var dropped: String { "\(namespace):dlq-dropped:\(worker):\(tag)" }
    /// Hash of blocked partition keys: `d:<key>` = parked count, `r:<key>` = count being retried.
    public var blockedKeys: String { "\(namespace):dlq-keys:\(worker):\(tag)" }
    /// A group's catch-up from the archive while it lasts (`Backfill`): `target`, `position`.
    public var backfill: String { "\(namespace):backfill:\(worker):\(tag)" }
    /// The lease that lets one process at a time consume this partition for this worker.
    public var lease: String { LogKeys(namespace: namespace).lease(owner: worker, partition: partition) }
    /// Sorted set of the live processes running this worker (score: membership expiry in ms).
    public static func members(namespace: String, worker: String) -> String { LogKeys(namespace: namespace).members(owner: worker) }
}

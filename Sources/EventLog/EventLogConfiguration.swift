/// The settings of one event log.
public struct EventLogConfiguration: Sendable, Hashable {
    /// Prefix of every Redis key (default `berrys`).
    public var namespace: String
    /// Partitions of a new log; an existing log keeps the count it was created with.
    public var partitions: Int
    /// How long an event id is remembered for de-duplication, in milliseconds (default 24 h).
    public var deduplicationWindow: Duration
    /// The largest `data` accepted, in bytes (default 1 MiB).
    public var maximumPayloadBytes: Int
    /// How long publishing retries while Redis is unreachable.
    public var unavailableRetry: Duration
    /// True when `partitions` was asked for explicitly (`BERRYS_PARTITIONS`, `berrys init
    /// --partitions`): opening an existing log with another count is then refused, instead of
    /// the stored count silently winning.
    public var partitionsAreRequired: Bool
    /// When an append counts as done: on the primary, or on a replica too.
    public var durability: Durability
    /// How much of each partition Redis keeps (`BERRYS_RETENTION`; everything by default).
    public var retention: RetentionPolicy

    public init(namespace: String = "berrys", partitions: Int = 4, deduplicationWindow: Duration = .seconds(86_400),
                maximumPayloadBytes: Int = 1 << 20, unavailableRetry: Duration = .seconds(10), partitionsAreRequired: Bool = false,
                durability: Durability = .local, retention: RetentionPolicy = .keepAll) {
        self.durability = durability
        self.retention = retention
        self.partitionsAreRequired = partitionsAreRequired
        self.namespace = namespace
        self.partitions = partitions
        self.deduplicationWindow = deduplicationWindow
        self.maximumPayloadBytes = maximumPayloadBytes
        self.unavailableRetry = unavailableRetry
    }

    /// The log's Redis keys.
    public var keys: LogKeys { LogKeys(namespace: namespace) }
    /// The stream key of a partition, `<ns>:events:{<p>}`.
    public func streamKey(partition: Int) -> String { keys.stream(partition: partition) }
    /// The per-partition settings read by the append function.
    func configKey(partition: Int) -> String { keys.config(partition: partition) }
    /// The log's metadata hash.
    var metaKey: String { keys.meta }
}

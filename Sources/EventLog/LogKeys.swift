/// The Redis keys of one log, written in one place. Every key of a partition carries the
/// partition's hash tag `{p}`, so whatever one command or function touches lies in one slot
/// (in Redis Cluster: on one node). The Lua (`Lua/*.lua`) derives the same names from the
/// stream key it is given; `KeyLayoutTests` checks every key it writes against these.
public struct LogKeys: Sendable, Hashable {
    /// The prefix of every key (`BERRYS_NAMESPACE`).
    public let namespace: String

    /// The keys of the log in `namespace`.
    public init(namespace: String) {
        self.namespace = namespace
    }

    /// `{p}`: the hash tag every key of partition `partition` carries.
    public static func hashTag(partition: Int) -> String { "{\(partition)}" }

    /// The partition's event stream, `<ns>:events:{p}`.
    public func stream(partition: Int) -> String { "\(namespace):events:\(Self.hashTag(partition: partition))" }
    /// Subject → sequence, stream id and id of the latest event, `<ns>:seq:{p}`.
    public func sequences(partition: Int) -> String { "\(namespace):seq:\(Self.hashTag(partition: partition))" }
    /// Where an appended event id is remembered for de-duplication (stream id and sequence,
    /// expiring after the window), `<ns>:dedup:{p}:<event id>`.
    public func deduplication(partition: Int, eventID: String) -> String {
        "\(namespace):dedup:\(Self.hashTag(partition: partition)):\(eventID)"
    }
    /// The trim watermark, `<ns>:trimmed:{p}`: every entry of the stream at or above it is still
    /// there; below it, entries may have been trimmed (they are in the archive). Absent: never trimmed.
    public func trimmed(partition: Int) -> String { "\(namespace):trimmed:\(Self.hashTag(partition: partition))" }
    /// The per-partition settings the append function reads, `<ns>:config:{p}`.
    public func config(partition: Int) -> String { "\(namespace):config:\(Self.hashTag(partition: partition))" }
    /// Held events by due time (unix ms), `<ns>:schedule:{p}` (Lua/berrys-schedule.lua).
    public func schedule(partition: Int) -> String { "\(namespace):schedule:\(Self.hashTag(partition: partition))" }
    /// Held events' expected sequence and fields (JSON) by id, `<ns>:scheduled:{p}`.
    public func scheduled(partition: Int) -> String { "\(namespace):scheduled:\(Self.hashTag(partition: partition))" }
    /// Held events that could not be appended when due, with the reason, `<ns>:schedule-failed:{p}`.
    public func scheduleFailed(partition: Int) -> String { "\(namespace):schedule-failed:\(Self.hashTag(partition: partition))" }
    /// The lease of one partition for one owner (a worker, `_firer`, `_trimmer`):
    /// `<ns>:lease:<owner>:{p}`, holding the owning process's name (`RedisLeaseStore`).
    public func lease(owner: String, partition: Int) -> String { "\(namespace):lease:\(owner):\(Self.hashTag(partition: partition))" }
    /// The live processes of one owner, `<ns>:members:<owner>` (sorted set, scored by expiry).
    public func members(owner: String) -> String { "\(namespace):members:\(owner)" }
    /// The log's metadata hash (partition count), `<ns>:meta`.
    public var meta: String { "\(namespace):meta" }
}

import RedisClient

/// The Redis Functions library `berrys_workers`: moves between a partition's stream, a worker's
/// dead-letter stream and its retry stream, each done atomically with the bookkeeping of
/// blocked partition keys, so per-key order survives parking, retrying and dropping.
///
/// Every entry in a DLQ or retry stream keeps the original fields plus `dlq_key` (its partition
/// key; empty when it has none, e.g. an invalid entry, which then blocks nothing) and
/// `dlq_source_id` (its stream id in the partition). Per key, a DLQ holds one head (the event
/// that failed) followed by the events parked behind it; a key is either parked (`d:<key>` > 0),
/// being retried (`r:<key>` > 0) or free.
///
/// The library also creates a worker's consumer groups (`berrys_group_start`, see `GroupStart`).
public enum DeadLetterFunctions {
    /// Loads the library unless this version is already there.
    public static func load(on redis: RedisPool) async throws {
        try await library.ensureLoaded(on: redis)
    }

    /// The library (Lua/berrys_workers.lua), versioned by its content.
    static let library = RedisFunctionLibrary(name: "berrys_workers", versionFunction: "berrys_workers_version",
                                              luaFiles: ["berrys_workers"], in: .module)
}

import RedisClient

/// Creates a log's metadata and loads the append and trim functions, idempotently.
struct LogSetup {
    let redis: RedisPool
    let configuration: EventLogConfiguration

    /// Makes sure the function is current and the metadata exists; returns the partition count.
    func prepare(create: Bool) async throws -> Int {
        try await loadFunctionIfNeeded()
        if let stored = try await redis.send("HGET", configuration.metaKey, "partitions").int {
            try refuseOtherCount(stored: Int(stored))
            try await writePartitionConfig(partitions: Int(stored))
            return Int(stored)
        }
        guard create else {
            throw EventLogError(.registry, "no event log in namespace '\(configuration.namespace)'; run berrys init")
        }
        guard configuration.partitions > 0, configuration.partitions <= 1024 else {
            throw EventLogError(.registry, field: "BERRYS_PARTITIONS", "partitions must be 1…1024, got \(configuration.partitions)")
        }
        // HSETNX: when two processes create the log at once, the first count wins.
        try await redis.send("HSETNX", configuration.metaKey, "partitions", String(configuration.partitions))
        try await redis.send("HSETNX", configuration.metaKey, "created", Timestamp.format(redis.clock.date))
        let partitions = Int(try await redis.send("HGET", configuration.metaKey, "partitions").int ?? Int64(configuration.partitions))
        try refuseOtherCount(stored: partitions)
        try await writePartitionConfig(partitions: partitions)
        return partitions
    }

    /// A log's partition count is fixed when it is created: every event's partition (and so
    /// its order, its stream, its consumers) follows from it.
    private func refuseOtherCount(stored: Int) throws {
        guard configuration.partitionsAreRequired, stored != configuration.partitions else { return }
        throw EventLogError(.registry, field: "BERRYS_PARTITIONS",
                            "the event log in namespace '\(configuration.namespace)' has \(stored) partitions, fixed when it was created; "
                            + "\(configuration.partitions) were asked for. Set BERRYS_PARTITIONS=\(stored) or leave it unset "
                            + "(the count never changes: each event's partition follows from it), or use a new BERRYS_NAMESPACE")
    }

    private func writePartitionConfig(partitions: Int) async throws {
        let commands = (0..<partitions).map {
            RedisCommand("HSET", configuration.configKey(partition: $0), "partitions", String(partitions),
                         "dedup_window_ms", String(configuration.deduplicationWindow.inMilliseconds))
        }
        for reply in try await redis.pipeline(commands) {
            if case .error(let message) = reply { throw RedisError(.server, message) }
        }
    }

    private func loadFunctionIfNeeded() async throws {
        try await AppendFunction.library.ensureLoaded(on: redis)
        try await TrimFunction.library.ensureLoaded(on: redis)
    }
}

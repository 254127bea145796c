import RedisClient

/// Moves a hash slot of a Redis Cluster to another primary the way `redis-cli --cluster
/// reshard` does: `SETSLOT … IMPORTING` on the target, `SETSLOT … MIGRATING` on the source,
/// `MIGRATE` of the slot's keys in batches, then `SETSLOT … NODE` on every primary.
public enum SlotMigration {
    /// Moves `slot` from `source` to `target`; the keys written meanwhile follow (ASK, then MOVED).
    /// - Parameters:
    ///   - pause: called after each batch of keys (to let traffic meet the half-moved slot).
    /// - Returns: how many keys were moved.
    @discardableResult
    public static func move(slot: Int, from source: RedisNodeAddress, to target: RedisNodeAddress,
                            primaries: [RedisNodeAddress], configuration: RedisConfiguration,
                            keysPerBatch: Int = 20, pause: () async throws -> Void = {}) async throws -> Int {
        let from = RedisConnection(configuration: configuration.pointing(at: source))
        let to = RedisConnection(configuration: configuration.pointing(at: target))
        defer { Task { await from.close(); await to.close() } }
        let sourceID = try await from.send("CLUSTER", "MYID").string ?? ""
        let targetID = try await to.send("CLUSTER", "MYID").string ?? ""
        try await to.send("CLUSTER", "SETSLOT", String(slot), "IMPORTING", sourceID)
        try await from.send("CLUSTER", "SETSLOT", String(slot), "MIGRATING", targetID)
        var moved = 0
        while true {
            let keys = (try await from.send("CLUSTER", "GETKEYSINSLOT", String(slot), String(keysPerBatch)).array ?? []).compactMap(\.string)
            if keys.isEmpty { break }
            try await from.send(RedisCommand(["MIGRATE", target.host, String(target.port), "", "0", "10000", "KEYS"] + keys))
            moved += keys.count
            try await pause()
        }
        // The target first, then the source, then the others (as the cluster specification advises).
        try await to.send("CLUSTER", "SETSLOT", String(slot), "NODE", targetID)
        try await from.send("CLUSTER", "SETSLOT", String(slot), "NODE", targetID)
        for node in primaries where node != source && node != target {
            let other = RedisConnection(configuration: configuration.pointing(at: node))
            try await other.send("CLUSTER", "SETSLOT", String(slot), "NODE", targetID)
            await other.close()
        }
        return moved
    }
}

/// Which primary serves each of a cluster's 16384 slots, and each primary's replicas: a pure
/// value read from `CLUSTER SHARDS` and corrected by `MOVED` replies.
public struct ClusterSlotMap: Sendable, Equatable {
    /// One shard: a primary, its replicas and the slot ranges it serves.
    public struct Shard: Sendable, Equatable {
        public var primary: RedisNodeAddress
        public var replicas: [RedisNodeAddress]
        public var slots: [ClosedRange<Int>]

        /// Creates a shard.
        public init(primary: RedisNodeAddress, replicas: [RedisNodeAddress] = [], slots: [ClosedRange<Int>]) {
            self.primary = primary
            self.replicas = replicas
            self.slots = slots
        }
    }

    /// The shards, in the order the cluster listed them.
    public private(set) var shards: [Shard]
    /// Slot → index in `shards`, or -1 where no shard serves the slot.
    private var owners: [Int16]

    /// A map of `shards`; a slot listed twice belongs to the later shard.
    public init(shards: [Shard]) {
        self.shards = shards
        self.owners = Array(repeating: -1, count: HashSlot.count)
        for (index, shard) in shards.enumerated() {
            for range in shard.slots {
                for slot in range where (0..<HashSlot.count).contains(slot) { owners[slot] = Int16(index) }
            }
        }
    }

    /// The primary serving `slot`; nil when no shard serves it (the cluster is incomplete).
    public func primary(forSlot slot: Int) -> RedisNodeAddress? {
        guard (0..<HashSlot.count).contains(slot) else { return nil }
        let owner = Int(owners[slot])
        return owner < 0 ? nil : shards[owner].primary
    }

    /// Every primary, each once.
    public var primaries: [RedisNodeAddress] { shards.map(\.primary) }

    /// Every node the map knows, primaries first.
    public var nodes: [RedisNodeAddress] { shards.map(\.primary) + shards.flatMap(\.replicas) }

    /// True when every slot has a primary.
    public var coversEverySlot: Bool { !owners.contains(-1) }

    /// Applies a `MOVED slot node` reply: `slot` is served by `node` now (a primary the map may
    /// not know yet, e.g. a replica promoted by a failover).
    public mutating func assign(slot: Int, to node: RedisNodeAddress) {
        guard (0..<HashSlot.count).contains(slot) else { return }
        if let index = shards.firstIndex(where: { $0.primary == node }) {
            owners[slot] = Int16(index)
        } else {
            shards.append(Shard(primary: node, slots: []))
            owners[slot] = Int16(shards.count - 1)
        }
    }

    /// Reads a `CLUSTER SHARDS` reply (Redis 7.0+): per shard a map with `slots` (start, end,
    /// start, end …) and `nodes` (maps with `ip`/`endpoint`, `port`, `role`, `health`). A
    /// shard's primary is its `master` that is `online` (else any `master`); a shard without
    /// one, or without slots, is left out.
    /// - Throws: `RedisError` `.server` when the reply does not have that shape.
    public static func parse(shards reply: RedisValue) throws -> ClusterSlotMap {
        guard let list = reply.array else {
            throw RedisError(.server, "CLUSTER SHARDS replied \(reply), not a list of shards")
        }
        var shards: [Shard] = []
        for entry in list {
            let fields = entry.fieldMap
            let bounds = (fields["slots"]?.array ?? []).compactMap { $0.int.map(Int.init) ?? $0.string.flatMap { Int($0) } }
            guard bounds.count % 2 == 0 else {
                throw RedisError(.server, "CLUSTER SHARDS listed an odd number of slot bounds: \(bounds)")
            }
            let ranges = stride(from: 0, to: bounds.count, by: 2).compactMap { index in
                bounds[index] <= bounds[index + 1] ? bounds[index]...bounds[index + 1] : nil
            }
            let nodes = (fields["nodes"]?.array ?? []).map(\.fieldMap)
            func address(_ node: [String: RedisValue]) -> RedisNodeAddress? {
                let endpoint = node["endpoint"]?.string
                let host = endpoint.flatMap { $0.isEmpty || $0 == "?" ? nil : $0 } ?? node["ip"]?.string
                guard let host, !host.isEmpty, let port = node["port"]?.int.map(Int.init) ?? node["port"]?.string.flatMap({ Int($0) })
                else { return nil }
                return RedisNodeAddress(host: host, port: port)
            }
            let primaries = nodes.filter { $0["role"]?.string == "master" }
            guard !ranges.isEmpty,
                  let primary = (primaries.first { $0["health"]?.string == "online" } ?? primaries.first).flatMap(address) else { continue }
            let replicas = nodes.filter { $0["role"]?.string == "replica" && $0["health"]?.string != "fail" }.compactMap(address)
            shards.append(Shard(primary: primary, replicas: replicas, slots: ranges))
        }
        return ClusterSlotMap(shards: shards)
    }
}

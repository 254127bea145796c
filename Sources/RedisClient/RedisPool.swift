import BerrysFoundation

/// Connections to one Redis or to a Redis Cluster, lent out through `withConnection`.
///
/// Whether the seeds are one node or a cluster is found on first use. In a cluster each
/// command goes to the primary serving its key's slot, through a pool per node; `MOVED`
/// refreshes the slot map and sends the command again, `ASK` sends it once to the migrating
/// node after `ASKING`, `TRYAGAIN`/`CLUSTERDOWN` back off and retry, and a node that cannot be
/// reached makes the next command refresh the map from the other nodes.
public struct RedisPool: Sendable {
    /// The configuration every connection uses (the first seed; other nodes differ only in
    /// host and port).
    public let configuration: RedisConfiguration
    /// The most connections open at once to each node.
    public let size: Int
    let topology: RedisTopology
    /// The clock of the processes built on this pool (a redirection's backoff waits on it).
    public let clock: BerrysClock

    /// How often one call follows redirections before giving up (with `.clusterRedirection`'s
    /// backoff, about 10 s: longer than a failover with a 2 s cluster-node-timeout).
    static let maximumRedirections = 40

    /// The loop that follows a cluster's redirections: `MOVED` and `ASK` at once (the next
    /// attempt goes to another node), `TRYAGAIN` and `CLUSTERDOWN` after a backoff while
    /// slots move, at most `maximumRedirections` times.
    var redirections: RetryLoop {
        RetryLoop(backoff: .clusterRedirection, budget: .attempts(Self.maximumRedirections + 1), clock: clock)
    }

    /// Creates a pool for one node, or for a cluster that node belongs to; nothing is opened yet.
    /// - Parameters:
    ///   - configuration: where to connect.
    ///   - size: the most connections at once, per node.
    ///   - clock: what a redirection's backoff waits on.
    public init(configuration: RedisConfiguration, size: Int = 4, clock: BerrysClock = .system) {
        self.init(seeds: [configuration], size: size, clock: clock)
    }

    /// Creates a pool for the nodes of `seeds` (one node, or seed nodes of a cluster).
    public init(seeds: [RedisConfiguration], size: Int = 4, clock: BerrysClock = .system) {
        self.configuration = seeds[0]
        self.clock = clock
        self.size = max(1, size)
        self.topology = RedisTopology(seeds: seeds, poolSize: max(1, size), clock: clock)
    }

    /// Reads a cluster's slot map again whenever a connection met a redirection or lost its
    /// node, until cancelled: run it for the life of a process (`RedisTopologyRefresher`), so
    /// that connections that follow a slot find a new primary after a failover without
    /// waiting for another call to route. On a single node it only waits.
    public func keepTopologyFresh() async {
        await topology.keepFresh()
    }

    /// True when the seeds are a Redis Cluster (found on first use, so this may connect).
    public func isCluster() async throws -> Bool {
        _ = try await topology.node(forSlot: nil)
        return topology.mode == .cluster
    }

    /// The cluster's slot map as last read; empty for one node.
    public func slotMap() async throws -> ClusterSlotMap {
        _ = try await topology.node(forSlot: nil)
        return topology.map
    }

    /// The node serving `key` now (the one node, outside a cluster).
    public func node(forKey key: String) async throws -> RedisNodeAddress {
        try await topology.node(forSlot: HashSlot.of(key))
    }

    /// Every primary: the one node, or each primary of the cluster.
    public func primaries() async throws -> [RedisNodeAddress] {
        _ = try await topology.node(forSlot: nil)
        return topology.mode == .cluster ? topology.map.primaries : [RedisNodeAddress(configuration)]
    }

    /// A connection not part of the pool, for a caller that holds it for long (blocking
    /// reads): to the one node, or to any primary of a cluster.
    public func makeDedicatedConnection() -> RedisConnection {
        RedisConnection(configuration: configuration, route: topology.makeRoute(followingSlot: nil))
    }

    /// A connection not part of the pool that serves commands on `key`'s slot: in a cluster it
    /// connects to the slot's primary, and after a redirection (a resharding, a failover) it
    /// throws `RedisError` `.redirected` once and reconnects to the new node on the next command.
    public func makeDedicatedConnection(routedBy key: String) -> RedisConnection {
        RedisConnection(configuration: configuration, route: topology.makeRoute(followingSlot: HashSlot.of(key)))
    }

    /// Lends a connection (to any node of a cluster) to `body` and takes it back afterwards.
    public func withConnection<T: Sendable>(_ body: (RedisConnection) async throws -> T) async throws -> T {
        try await topology.pool(for: try await topology.node(forSlot: nil)).withConnection(body)
    }

    /// Lends a connection to the node serving `key` to `body`, for commands that all touch
    /// `key`'s slot (a transaction, a pipeline of one partition).
    ///
    /// When the cluster redirects a command of `body`, `body` runs again from the start on the
    /// right node (after a backoff unless it was `MOVED`), so it must be safe to repeat: what
    /// it sent before the redirection may have run.
    public func withConnection<T: Sendable>(routedBy key: String, _ body: (RedisConnection) async throws -> T) async throws -> T {
        let slot = HashSlot.of(key)
        return try await redirections.run(deciding: { error in
            guard let error = error as? RedisError, error.code == .redirected else { return .stop }
            if case .moved = ClusterRedirection(errorMessage: error.message) { return .atOnce }
            return .afterBackoff
        }) {
            try await topology.pool(for: try await topology.node(forSlot: slot)).withConnection(body)
        }
    }

    /// Sends one command to the node serving its key.
    /// - Throws: `RedisError` `.server` for an error reply.
    @discardableResult
    public func send(_ command: RedisCommand) async throws -> RedisValue {
        let reply = try await sendReturningErrors(command)
        if case .error(let message) = reply { throw RedisError(.server, message) }
        return reply
    }

    /// Sends one command made of text arguments to the node serving its key.
    @discardableResult
    public func send(_ arguments: String...) async throws -> RedisValue {
        try await send(RedisCommand(arguments))
    }
}

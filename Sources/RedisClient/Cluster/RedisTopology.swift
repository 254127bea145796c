import BerrysFoundation
import Synchronization

/// What a pool knows about the Redis it talks to: one node, or a cluster's slot map; and one
/// connection pool per node.
///
/// The mode is found on first use (`INFO cluster`: `cluster_enabled:1`), the map is read with
/// `CLUSTER SHARDS` from any node that answers (the seeds first, then every node of the last
/// map), and refreshed after a `MOVED` or a node that cannot be reached. Refreshes are
/// coalesced and at most one per `refreshInterval` unless the map cannot route at all.
final class RedisTopology: Sendable {
    enum Mode: Sendable, Equatable { case unknown, single, cluster }

    struct State: Sendable {
        var mode: Mode = .unknown
        var map = ClusterSlotMap(shards: [])
        var pools: [RedisNodeAddress: ConnectionPool<RedisConnection>] = [:]
        /// A redirection or lost node since the last refresh.
        var stale = false
        var lastRefresh: BerrysClock.Instant?
        /// The callers waiting for the refresh under way (nil: none under way).
        var refreshWaiters: [CheckedContinuation<Void, any Error>]?
    }

    let seeds: [RedisConfiguration]
    let poolSize: Int
    let clock: BerrysClock
    private let state = Mutex(State())
    /// Refreshes asked for by `markStale`, carried out by `keepFresh` (one at most waits).
    private let staleSignals: AsyncStream<Void>
    private let staleContinuation: AsyncStream<Void>.Continuation
    /// The least time between two refreshes caused by redirections (a resharding redirects
    /// many commands in a burst).
    static let refreshInterval: Duration = .milliseconds(100)

    init(seeds: [RedisConfiguration], poolSize: Int, clock: BerrysClock) {
        precondition(!seeds.isEmpty, "a Redis topology needs at least one seed node")
        self.seeds = seeds
        self.poolSize = poolSize
        self.clock = clock
        (staleSignals, staleContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    var mode: Mode { state.withLock { $0.mode } }

    /// The slot map as last read (empty unless in cluster mode).
    var map: ClusterSlotMap { state.withLock { $0.map } }

    /// The node serving `slot` (any primary for nil), found or refreshed first when needed.
    func node(forSlot slot: Int?) async throws -> RedisNodeAddress {
        if let node = try routeWithoutRefresh(slot) { return node }
        try await refresh()
        if let node = try routeWithoutRefresh(slot) { return node }
        throw RedisError(.redirected, "CLUSTERDOWN no node of the cluster serves slot \(slot ?? -1) (seeds \(seeds.map { RedisNodeAddress($0) }))")
    }

    /// The node for `slot` from what is known, or nil when a refresh must come first.
    private func routeWithoutRefresh(_ slot: Int?) throws -> RedisNodeAddress? {
        state.withLock { state in
            switch state.mode {
            case .unknown: return nil
            case .single: return RedisNodeAddress(seeds[0])
            case .cluster:
                if state.stale, let last = state.lastRefresh, clock.now - last > Self.refreshInterval {
                    return nil
                }
                guard let slot else { return state.map.primaries.first }
                return state.map.primary(forSlot: slot)
            }
        }
    }

    /// The node a slot-following connection connects to: what the map says, without waiting.
    func currentNode(forSlot slot: Int?) -> RedisNodeAddress {
        state.withLock { state in
            guard state.mode == .cluster else { return RedisNodeAddress(seeds[0]) }
            return (slot.flatMap { state.map.primary(forSlot: $0) } ?? state.map.primaries.first) ?? RedisNodeAddress(seeds[0])
        }
    }

    /// The pool of connections to `node`, made on first use.
    func pool(for node: RedisNodeAddress) -> ConnectionPool<RedisConnection> {
        state.withLock { state in
            if let pool = state.pools[node] { return pool }
            let configuration = seeds[0].pointing(at: node)
            let route = makeRoute(followingSlot: nil)
            let pool = ConnectionPool(size: poolSize) { RedisConnection(configuration: configuration, route: route) }
            state.pools[node] = pool
            return pool
        }
    }

    /// The route of a connection; with a slot, one that follows it from node to node.
    func makeRoute(followingSlot slot: Int?) -> RedisRoute {
        RedisRoute(
            followsSlot: slot != nil,
            node: { [weak self] in self?.currentNode(forSlot: slot) ?? RedisNodeAddress(host: "127.0.0.1", port: 6379) },
            observe: { [weak self] redirection, node in self?.observe(redirection, from: node) },
            lost: { [weak self] _ in self?.markStale() })
    }

    /// Takes a redirection into account: `MOVED` re-assigns its slot at once and asks for a
    /// refresh; the others change nothing (the caller backs off or asks once).
    func observe(_ redirection: ClusterRedirection, from node: RedisNodeAddress) {
        guard case .moved(let slot, let host, let port) = redirection else { return }
        state.withLock { state in
            guard state.mode == .cluster else { return }
            state.map.assign(slot: slot, to: RedisNodeAddress(host: host.isEmpty ? node.host : host, port: port))
        }
        markStale()
    }

    /// Asks for a refresh before the next routing (a node was lost), and signals `keepFresh`
    /// when none ran for `refreshInterval`, so that connections that route without waiting
    /// (slot-following ones) find the new primary after a failover too.
    func markStale() {
        let due = state.withLock { state -> Bool in
            state.stale = true
            guard state.mode == .cluster, state.refreshWaiters == nil else { return false }
            return state.lastRefresh.map { clock.now - $0 > Self.refreshInterval } ?? true
        }
        if due { staleContinuation.yield() }
    }

    /// Refreshes each time `markStale` asks, until cancelled: the pool's background work, run
    /// by a service of the process (`RedisTopologyRefresher`). Without it, a stale map is read
    /// again at the next routed call instead.
    func keepFresh() async {
        for await _ in staleSignals {
            try? await refresh()
        }
    }

    /// Finds the mode and reads the map, once for all callers waiting at the same time: the
    /// first caller reads it, the others wait for its result.
    func refresh() async throws {
        let first = state.withLock { state -> Bool in
            guard state.refreshWaiters == nil else { return false }
            state.refreshWaiters = []
            return true
        }
        guard first else {
            return try await withCheckedThrowingContinuation { continuation in
                let waiting = state.withLock { state -> Bool in
                    guard state.refreshWaiters != nil else { return false }
                    state.refreshWaiters!.append(continuation)
                    return true
                }
                if !waiting { continuation.resume() }  // it ended meanwhile: route with what it found
            }
        }
        let result: Result<Void, any Error>
        do {
            try await discover()
            result = .success(())
        } catch {
            result = .failure(error)
        }
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            defer { state.refreshWaiters = nil }
            return state.refreshWaiters ?? []
        }
        for waiter in waiters { waiter.resume(with: result) }
        try result.get()
    }

    private func discover() async throws {
        let known = state.withLock { $0.map.nodes }
        var failures: [String] = []
        for node in (seeds.map { RedisNodeAddress($0) } + known).uniqued() {
            do {
                let found = try await pool(for: node).withConnection { connection -> (Mode, ClusterSlotMap) in
                    let info = try await connection.send("INFO", "cluster").string ?? ""
                    guard info.contains("cluster_enabled:1") else { return (.single, ClusterSlotMap(shards: [])) }
                    return (.cluster, try ClusterSlotMap.parse(shards: try await connection.send("CLUSTER", "SHARDS")))
                }
                if found.0 == .cluster && found.1.primaries.isEmpty {
                    failures.append("\(node): its CLUSTER SHARDS lists no primary with slots")
                    continue
                }
                state.withLock { state in
                    // One node stays one node; a cluster's map is replaced whole.
                    state.mode = state.mode == .single ? .single : found.0
                    state.map = found.1
                    state.stale = false
                    state.lastRefresh = clock.now
                }
                return
            } catch let error as RedisError {
                failures.append("\(node): \(error.message)")
            }
        }
        throw RedisError(.connect, "no Redis node answered: \(failures.joined(separator: "; "))")
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

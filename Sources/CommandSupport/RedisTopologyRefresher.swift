import RedisClient
import ServiceLifecycle

/// The Redis pool's background work as a service of the process: a cluster's slot map is read
/// again after a failover or a resharding (`RedisPool.keepTopologyFresh`) until the process stops.
struct RedisTopologyRefresher: Service {
    let redis: RedisPool

    func run() async throws {
        await cancelWhenGracefulShutdown { await redis.keepTopologyFresh() }
    }
}

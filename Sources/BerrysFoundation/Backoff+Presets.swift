/// Every backoff the product uses, by what it paces: one place to read and tune them.
/// All use `Backoff`'s equal jitter (a delay uniform in [ceiling/2, ceiling]).
extension Backoff {
    /// A call retried while its server is unreachable (`RetryLoop`'s default; the event log's
    /// appends and reads): 50 ms, doubling, at most 5 s.
    public static let serverDown = Backoff(initial: .milliseconds(50), maximum: .seconds(5))
    /// A long-running service's loop starting again after its dependency failed (the worker
    /// runtime, the live hub's reader): 0.2 s, doubling, at most 5 s.
    public static let serviceRestart = Backoff(initial: .milliseconds(200), maximum: .seconds(5))
    /// A reader reconnecting after a failed read (a partition consumer, the live hub's
    /// follower, the scheduled-event firer): 0.1 s, doubling, at most 5 s.
    public static let reconnect = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
    /// A read-your-writes waiter listening again for checkpoints: 50 ms, at most 2 s.
    public static let listenAgain = Backoff(initial: .milliseconds(50), maximum: .seconds(2))
    /// A Redis Cluster redirection (MOVED, ASK, TRYAGAIN) retried while slots move: 10 ms, at
    /// most 0.5 s.
    public static let clusterRedirection = Backoff(initial: .milliseconds(10), maximum: .milliseconds(500))
    /// A PostgreSQL transaction retried after a serialization conflict or deadlock: 5 ms, at
    /// most 0.5 s.
    public static let transactionConflict = Backoff(initial: .milliseconds(5), maximum: .milliseconds(500))
    /// A worker handler's failed event retried (`DeliveryPolicy`'s default): 0.1 s, at most 30 s.
    public static let handlerRetry = Backoff(initial: .milliseconds(100), maximum: .seconds(30))

    /// Lease renewal retried after a failure: 0.2 s, at most a quarter of the lease, so that
    /// several tries fit before it expires.
    public static func leaseRenewal(lease: Duration) -> Backoff {
        Backoff(initial: .milliseconds(200), maximum: lease / 4)
    }
}

import BerrysFoundation
import BerrysRuntime
import Logging

extension EventLog {
    /// This process's share of the log's partitions for `owner` (the firer, the trimmer), on
    /// leases in the log's Redis: the ownership runtime on a `RedisLeaseStore`.
    /// - Parameters:
    ///   - holder: this process's name in the leases (unique per process).
    ///   - lease: how long a partition of a process that died waits before another owns it.
    public func ownership(of owner: String, holder: String, lease: Duration, name: String,
                          logger: Logger) -> OwnershipRuntime<RedisLeaseStore, BerrysClock> {
        let partitions = partitioner.partitions
        let store = RedisLeaseStore(keys: configuration.keys, owner: owner, partitions: partitions, holder: holder, redis: redis, lease: lease, clock: clock)
        return OwnershipRuntime(name: name, store: store, clock: clock, settings: OwnershipSettings(leaseDuration: lease),
                                partitions: partitions, offset: Int.random(in: 0..<max(1, partitions)), logger: logger)
    }
}

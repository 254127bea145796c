import EventLog
import RedisClient

/// Where a worker's consumer group starts when the worker first runs (`berrys worker --from`):
/// at the start of the log (every event ever published) or at its end (only new events).
/// Groups that exist keep their place either way.
public enum GroupStart: String, Sendable, CaseIterable {
    /// The first entry of each partition; refused once retention has trimmed the partition.
    case beginning
    /// After the newest entry of each partition.
    case now

    /// Creates `worker`'s group on every partition that lacks it.
    /// - Throws: `GroupStartRefused` for `.beginning` on a partition whose oldest events were
    ///   trimmed from Redis: a group cannot read the archive, so it would silently miss them.
    func createGroups(worker: String, log: EventLog, redis: RedisPool) async throws {
        for partition in 0..<log.partitioner.partitions {
            let keys = WorkerKeys(namespace: log.configuration.namespace, worker: worker, partition: partition)
            let reply = try await redis.sendReturningErrors(RedisCommand("XGROUP", "CREATE", keys.stream, keys.group,
                                                                         self == .now ? "$" : "0", "MKSTREAM"))
            if case .error(let message) = reply {
                if message.hasPrefix("BUSYGROUP") { continue }
                throw RedisError(.server, message)
            }
            guard self == .beginning else { continue }
            // Created at 0 first, then checked: a trim that ran meanwhile is seen here, and
            // from now on the group (at 0-0) holds the trimmer back.
            let watermark = try await log.trimWatermark(partition: partition)
            guard watermark == .zero else {
                try await redis.send("XGROUP", "DESTROY", keys.stream, keys.group)
                throw GroupStartRefused(worker: worker, partition: partition, watermark: watermark)
            }
        }
    }
}

/// A new worker asked to start from the beginning of a log whose oldest events are only in
/// the archive any more.
public struct GroupStartRefused: Error, Sendable, CustomStringConvertible {
    public let worker: String
    public let partition: Int
    public let watermark: StreamID

    public var description: String {
        "worker \(worker) has no consumer group yet and was asked to start from the beginning, but partition \(partition) "
            + "was trimmed below \(watermark) (BERRYS_RETENTION): those events are only in the archive, which a consumer group cannot read. "
            + "Start it with --from now (new events only), or run it before trimming starts"
    }
}

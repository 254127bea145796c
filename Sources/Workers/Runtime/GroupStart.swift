import EventLog
import RedisClient

/// Where a worker's consumer group starts when the worker first runs (`berrys worker --from`):
/// at the start of the log (every event ever published) or at its end (only new events).
/// Groups that exist keep their place either way.
public enum GroupStart: String, Sendable, CaseIterable {
    /// The first entry of each partition. On a partition that retention trimmed, the group
    /// starts at the trimmed point and first catches up from the archive (`Backfill`).
    case beginning
    /// After the newest entry of each partition.
    case now

    /// Creates `worker`'s group on every partition that lacks it (`berrys_group_start`).
    /// - Parameter canCatchUp: whether the runtime reads the archive (it has a `history`
    ///   source); without it, a trimmed partition cannot be started from the beginning.
    /// - Returns: the partitions whose group was created at the trimmed point, with a catch-up.
    /// - Throws: `GroupStartRefused` for `.beginning` on a trimmed partition without
    ///   `canCatchUp`: the group would silently miss the events only the archive holds.
    @discardableResult
    func createGroups(worker: String, log: EventLog, redis: RedisPool, canCatchUp: Bool) async throws -> [Int: StreamID] {
        var catchingUp: [Int: StreamID] = [:]
        for partition in 0..<log.partitioner.partitions {
            let keys = WorkerKeys(namespace: log.configuration.namespace, worker: worker, partition: partition)
            let reply = try await redis.send(RedisCommand("FCALL", "berrys_group_start", "3", keys.stream,
                                                          log.configuration.keys.trimmed(partition: partition), keys.backfill,
                                                          keys.group, rawValue, canCatchUp ? "1" : "0"))
            let fields = reply.array?.compactMap(\.string) ?? []
            switch (fields.first, fields.dropFirst().first.flatMap(StreamID.init)) {
            case ("backfill", let watermark?):
                catchingUp[partition] = watermark
            case ("trimmed", let watermark?):
                throw GroupStartRefused(worker: worker, partition: partition, watermark: watermark)
            case ("exists", _), ("created", _):
                continue
            default:
                throw RedisError(.server, "unexpected reply of berrys_group_start for \(keys.stream): \(reply)")
            }
        }
        return catchingUp
    }
}

/// A new worker asked to start from the beginning of a log whose oldest events are only in
/// the archive any more, in a process that cannot read the archive (no PostgreSQL).
public struct GroupStartRefused: Error, Sendable, CustomStringConvertible {
    public let worker: String
    public let partition: Int
    public let watermark: StreamID

    public var description: String {
        "worker \(worker) has no consumer group yet and was asked to start from the beginning, but partition \(partition) "
            + "was trimmed below \(watermark) (BERRYS_RETENTION): those events are only in the archive, which this process "
            + "cannot read without BERRYS_DATABASE_URL. Give it the database, or start it with --from now (new events only)"
    }
}

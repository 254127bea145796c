/// How many partitions of one worker (or one projection version) a process should hold, and
/// which to take or give back, as a pure decision: every live process aims at
/// `ceil(partitions / live processes)`. Shared by the workers' leases (in Redis) and the
/// projectors' (in PostgreSQL).
public struct LeasePlan: Sendable, Hashable {
    /// Free partitions to try to take, in order.
    public var acquire: [Int]
    /// Held partitions to give back (after finishing what is in hand).
    public var release: [Int]

    /// - Parameters:
    ///   - partitions: the log's partition count.
    ///   - liveMembers: processes running this worker, this one included.
    ///   - held: partitions this process holds.
    ///   - free: partitions nobody holds.
    ///   - offset: where this process starts looking, so that processes spread out.
    public init(partitions: Int, liveMembers: Int, held: Set<Int>, free: Set<Int>, offset: Int = 0) {
        let fairShare = (partitions + max(1, liveMembers) - 1) / max(1, liveMembers)
        if held.count > fairShare {
            acquire = []
            release = Array(held.sorted().suffix(held.count - fairShare))
        } else {
            let order = (0..<partitions).map { (offset + $0) % max(1, partitions) }
            acquire = Array(order.filter { free.contains($0) }.prefix(fairShare - held.count))
            release = []
        }
    }
}

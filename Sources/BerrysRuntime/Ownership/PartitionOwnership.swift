import BerrysFoundation

/// Which partitions one process owns, what each owned partition's work is doing, and what the
/// next tick of the ownership runtime must do, as a pure value: no clock and no I/O. The runtime
/// (`OwnershipRuntime`) feeds it what the lease store answered and carries out what it says.
///
/// A tick, in order:
/// 1. `leasesLost(_:)`: renewals that failed. Their work is cancelled at once (another
///    process may own the partition now), and the partition is not taken again while that work
///    still runs.
/// 2. `workEnded(_:)`: work that returned. A partition given back (or whose work stopped by
///    itself) has its lease released now, after its work finished what was in hand.
/// 3. `plan(liveMembers:free:)`: the fair share (`LeasePlan`): partitions to give back (their
///    work is asked to stop gracefully) and free ones to try to take.
/// 4. `acquired(_:)`: a lease taken; its work starts.
/// 5. `pause(normal:quick:)`: how long until the next tick: quick while partitions change hands
///    (a process joined or left, a lease is given back or wanted), so that a hand-over takes a
///    few round trips rather than several lease periods.
public struct PartitionOwnership: Sendable, Equatable {
    /// What an owned partition's work is doing.
    public enum Holding: Sendable, Equatable {
        /// Working under a held lease.
        case running
        /// Asked to stop gracefully (finish what is in hand); its lease is released once it ends.
        case givingBack
        /// Its lease is gone; cancelled, and kept until the work has ended so that the partition
        /// is not taken again while the old work may still act on it.
        case lost
    }

    /// The partition count.
    public let partitions: Int
    /// Where this process starts looking for free partitions, so that processes spread out.
    public let offset: Int
    /// Quick ticks after each change.
    public let quickTicks: Int
    /// The owned partitions.
    public private(set) var held: [Int: Holding] = [:]
    private var liveMembers = 0
    private var quickTicksLeft = 0
    private var moving = false

    public init(partitions: Int, offset: Int, quickTicks: Int = 40) {
        self.partitions = partitions
        self.offset = offset
        self.quickTicks = quickTicks
    }

    /// The leases to renew: every owned partition whose lease is not known lost.
    public var toRenew: Set<Int> { Set(held.filter { $0.value != .lost }.keys) }

    /// Renewals of `lost` failed. - Returns: the partitions whose work to cancel now.
    public mutating func leasesLost(_ lost: Set<Int>) -> Set<Int> {
        let cancelled = lost.filter { held[$0] != nil && held[$0] != .lost }
        for partition in cancelled { held[partition] = .lost }
        return cancelled
    }

    /// The work of `ended` partitions returned. - Returns: the partitions whose lease to
    /// release now (given back, or stopped by itself while running: a fenced read or claim was
    /// refused, so the lease is gone or about to be).
    public mutating func workEnded(_ ended: Set<Int>) -> Set<Int> {
        var release: Set<Int> = []
        for partition in ended {
            guard let holding = held.removeValue(forKey: partition) else { continue }
            if holding != .lost { release.insert(partition) }
        }
        return release
    }

    /// The fair share for `liveMembers` processes, given the `free` partitions (nobody holds
    /// them). - Returns: partitions to give back (now `givingBack`: stop their work gracefully)
    /// and free ones to try to take, in order.
    public mutating func plan(liveMembers: Int, free: Set<Int>) -> (giveBack: [Int], take: [Int]) {
        let running = Set(held.filter { $0.value == .running }.keys)
        let plan = LeasePlan(partitions: partitions, liveMembers: liveMembers, held: running,
                             free: free.subtracting(held.keys), offset: offset)
        for partition in plan.release { held[partition] = .givingBack }
        moving = !plan.acquire.isEmpty || !plan.release.isEmpty || held.values.contains { $0 != .running }
            || liveMembers != self.liveMembers
        self.liveMembers = liveMembers
        return (plan.release, plan.acquire)
    }

    /// The lease of `partition` was taken: its work starts.
    public mutating func acquired(_ partition: Int) {
        held[partition] = .running
    }

    /// The pause before the next tick: `quick` for `quickTicks` ticks after partitions moved,
    /// else `normal`.
    public mutating func pause(normal: Duration, quick: Duration) -> Duration {
        if moving { quickTicksLeft = quickTicks }
        defer { quickTicksLeft = max(0, quickTicksLeft - 1) }
        return quickTicksLeft > 0 ? min(quick, normal) : normal
    }
}

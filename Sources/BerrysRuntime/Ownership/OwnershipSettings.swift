import BerrysFoundation

/// How a process owns partitions: the lease's lifetime and the pace of renewals.
public struct OwnershipSettings: Sendable, Hashable {
    /// How long a lease lasts unless renewed: after a kill -9, how long its partitions wait.
    public var leaseDuration: Duration
    /// The pace of ticks (membership, renewals, balancing) while nothing moves.
    public var tick: Duration
    /// The pace while partitions change hands, for `quickTicks` ticks after each change.
    public var quickTick: Duration
    public var quickTicks: Int

    /// - Parameters:
    ///   - leaseDuration: a lease's lifetime.
    ///   - tick: defaults to a quarter of the lease, so that several renewals fit in it.
    ///   - quickTick: 50 ms by default, 40 times after a change (2 s of quick ticks).
    public init(leaseDuration: Duration, tick: Duration? = nil, quickTick: Duration = .milliseconds(50), quickTicks: Int = 40) {
        self.leaseDuration = leaseDuration
        self.tick = tick ?? leaseDuration / 4
        self.quickTick = quickTick
        self.quickTicks = quickTicks
    }

    /// A failed tick (the store unreachable) is tried again after these delays.
    var retry: Backoff { .leaseRenewal(lease: leaseDuration) }
}

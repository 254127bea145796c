/// An entry of a consumer group's pending list.
public struct PendingEntry: Sendable, Hashable {
    /// The entry's stream id.
    public let id: String
    /// The consumer it was delivered to.
    public let consumer: String
    /// Milliseconds since it was last delivered.
    public let idleMilliseconds: Int64
    /// How many times it was delivered.
    public let deliveries: Int

    /// A row of `XPENDING key group start end count`.
    public init(id: String, consumer: String, idleMilliseconds: Int64, deliveries: Int) {
        self.id = id
        self.consumer = consumer
        self.idleMilliseconds = idleMilliseconds
        self.deliveries = deliveries
    }
}

/// Which pending entries the holder of a partition's lease takes over, as a pure decision.
///
/// Entries of consumers that are gone (no longer live members: crashed and expired, or left)
/// are claimed at once; entries of a consumer that is still a member (say, a stalled former
/// lease holder) only once idle longer than the visibility timeout. Its own entries are taken
/// back only at start-up (before that, nothing of them is in hand).
public struct ClaimPlan: Sendable, Hashable {
    /// Ids to claim now, oldest first.
    public var claimNow: [String]
    /// Entries of live consumers not idle long enough yet: new reads wait until they are claimed.
    public var notYetClaimable: Int

    /// Decides for the pending entries of one partition's group.
    public init(pending: [PendingEntry], me: String, liveConsumers: Set<String>, visibilityMilliseconds: Int64, includeOwn: Bool) {
        var claim: [String] = []
        var waiting = 0
        for entry in pending {
            if entry.consumer == me {
                if includeOwn { claim.append(entry.id) }
            } else if !liveConsumers.contains(entry.consumer) || entry.idleMilliseconds >= visibilityMilliseconds {
                claim.append(entry.id)
            } else {
                waiting += 1
            }
        }
        claimNow = claim
        notYetClaimable = waiting
    }
}

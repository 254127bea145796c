import EventLog

/// What a trim round found and did on one partition.
public struct PartitionTrimReport: Sendable {
    /// The partition.
    public let partition: Int
    /// Entries removed in this round (0 in a dry run).
    public let removed: Int
    /// The stream afterwards: length, oldest entry, watermark.
    public let state: TrimResult
    /// The plan for the stream as it is now: what may still go and what holds it back.
    public let plan: TrimPlan

    /// "held by …" when the retention wants entries removed that a reader still needs, else nil.
    public var heldBy: String? { plan.isHeld ? plan.lowestLimit?.description : nil }
}

/// What the trimmer may remove from one partition's stream, and what holds it back: a pure
/// value computed from the retention policy and the partition's readers, tested without Redis.
///
/// An entry may leave Redis only once nothing needs it there any more:
/// - the `archive` projection has stored it in PostgreSQL (its live checkpoint is at or past it);
/// - every consumer group has delivered it (last-delivered id) and has it no longer pending.
///
/// Projections other than the archive read through the tiered log (archive below the trimmed
/// point, Redis above), so they do not hold trimming back.
public struct TrimPlan: Sendable, Hashable {
    /// A reader that needs the stream from `keepFrom` on.
    public struct Limit: Sendable, Hashable, CustomStringConvertible {
        public enum Reader: Sendable, Hashable {
            /// The `archive` projection's live checkpoint (nil: no live archive, nothing may go).
            case archive(checkpoint: StreamID?)
            /// A consumer group: its last-delivered id and its oldest pending entry.
            case group(name: String, lastDelivered: StreamID, oldestPending: StreamID?)
        }

        public let reader: Reader
        /// The first stream id this reader still needs (`.zero`: all of it).
        public var keepFrom: StreamID {
            switch reader {
            case .archive(let checkpoint): return checkpoint?.successor ?? .zero
            case .group(_, let lastDelivered, let oldestPending): return min(lastDelivered.successor, oldestPending ?? lastDelivered.successor)
            }
        }

        public var description: String {
            switch reader {
            case .archive(nil): return "the archive projection is not live (nothing leaves Redis before it is archived)"
            case .archive(let checkpoint?): return "the archive projection (checkpoint \(checkpoint))"
            case .group(let name, let lastDelivered, let oldestPending):
                if let oldestPending, oldestPending < lastDelivered.successor {
                    return "consumer group \(name) (oldest pending \(oldestPending))"
                }
                return "consumer group \(name) (last delivered \(lastDelivered))"
            }
        }
    }

    /// Entries with an id below `cap` may be removed (nil: none may).
    public let cap: StreamID?
    /// At most this many entries may be removed (nil: no count limit); `entries:N` keeps N.
    public let maximumEntries: Int?
    /// The reader that bounds the safe point, the lowest `keepFrom` (nil when there is none).
    public let lowestLimit: Limit?
    /// True when the policy wants entries removed that the readers still need: the log is over
    /// its retention and stays so until `lowestLimit` moves on.
    public let isHeld: Bool

    /// - Parameters:
    ///   - policy: the retention policy.
    ///   - length: the stream's length (XLEN).
    ///   - firstEntry: the id of its oldest entry (nil: empty).
    ///   - nowMilliseconds: the current time, for `age:`.
    ///   - archiveCheckpoint: the archive projection's live checkpoint for the partition (nil: not live).
    ///   - groups: every consumer group on the stream.
    public init(policy: RetentionPolicy, length: Int, firstEntry: StreamID?, nowMilliseconds: UInt64,
                archiveCheckpoint: StreamID?, groups: [Limit.Reader]) {
        let limits = [Limit(reader: .archive(checkpoint: archiveCheckpoint))] + groups.map(Limit.init(reader:))
        let lowest = limits.min { $0.keepFrom < $1.keepFrom }
        lowestLimit = lowest
        let safePoint: StreamID? = archiveCheckpoint == nil ? nil : lowest?.keepFrom
        switch policy {
        case .keepAll:
            cap = nil
            maximumEntries = nil
            isHeld = false
        case .entries(let keep):
            let excess = max(0, length - keep)
            cap = excess > 0 ? safePoint : nil
            maximumEntries = excess
            isHeld = excess > 0 && Self.nothingBelow(safePoint, firstEntry: firstEntry)
        case .age(let seconds):
            let oldestKept = StreamID(milliseconds: nowMilliseconds - min(nowMilliseconds, UInt64(seconds) * 1000), sequence: 0)
            let wanted = firstEntry.map { $0 < oldestKept } ?? false
            cap = wanted ? safePoint.map { min($0, oldestKept) } : nil
            maximumEntries = nil
            isHeld = wanted && Self.nothingBelow(safePoint, firstEntry: firstEntry)
        }
    }

    /// True when no entry lies below the safe point (or there is none).
    private static func nothingBelow(_ safePoint: StreamID?, firstEntry: StreamID?) -> Bool {
        guard let safePoint, let firstEntry else { return true }
        return firstEntry >= safePoint
    }
}

import Foundation

/// How long the scheduled-event firer waits before its next round, as a pure rule: until the
/// soonest held event is due, but never longer than `maximum` (an event scheduled meanwhile
/// for sooner, by another process, is noticed within it), and not at all while a round found
/// more due events than it could take.
public struct FirePacing: Sendable, Hashable {
    /// The longest pause: the most an event can be late beyond one round's work.
    public var maximum: Double

    public init(maximum: Double = 0.25) {
        self.maximum = maximum
    }

    /// Seconds to wait after a round.
    /// - Parameters:
    ///   - nextDue: the soonest held event over all partitions, if any.
    ///   - more: true when some partition had more due events than one call takes.
    public func pause(nextDue: Date?, more: Bool, now: Date) -> Double {
        if more { return 0 }
        guard let nextDue else { return maximum }
        return min(maximum, max(0, nextDue.timeIntervalSince(now)))
    }
}

import Foundation

/// How long the scheduled-event firer waits before its next call on a partition, as a pure
/// rule: until the soonest held event is due, but never longer than `maximum` (an event
/// scheduled meanwhile for sooner is noticed within it), and not at all while a call found
/// more due events than it could take.
public struct FirePacing: Sendable, Hashable {
    /// The longest pause: the most an event can be late beyond one call's work.
    public var maximum: Duration

    public init(maximum: Duration = .milliseconds(250)) {
        self.maximum = maximum
    }

    /// The wait after a call.
    /// - Parameters:
    ///   - nextDue: the soonest event still held on the partition, if any (by the log's clock).
    ///   - more: true when the partition had more due events than one call takes.
    public func pause(nextDue: Date?, more: Bool, now: Date) -> Duration {
        if more { return .zero }
        guard let nextDue else { return maximum }
        // To the nearest millisecond: waking half a millisecond early costs one more call, no more.
        return min(maximum, .milliseconds(max(0, Int64((nextDue.timeIntervalSince(now) * 1000).rounded()))))
    }
}

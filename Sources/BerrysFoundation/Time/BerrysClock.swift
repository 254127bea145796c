import Foundation

/// The one clock the product reads: every rule that waits or expires (leases, backoff, claims,
/// the breaker, fire pacing, deadlines, consistency timeouts) takes its time from a
/// `BerrysClock` given at assembly, so a test can hand the same code a manual clock and move
/// time itself instead of sleeping.
///
/// It has two readings, kept apart on purpose:
/// - `now`, a monotonic instant for waits and elapsed time within one process;
/// - `date`, the wall-clock time for what is stored or compared across processes (lease
///   expiries in Redis, an event's `time`, a scheduled event's due time).
///
/// The production clock is `.system` (`ContinuousClock` and `Date()`); a test clock is built
/// with `init(_:date:)` over any clock whose duration is `Duration`.
public struct BerrysClock: Clock, Sendable {
    /// An instant: the time passed since the clock was made.
    public struct Instant: InstantProtocol, Sendable {
        /// The time since the clock's origin.
        public var offset: Duration

        public init(offset: Duration) { self.offset = offset }
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        /// The time from `rhs` to `lhs`.
        public static func - (lhs: Instant, rhs: Instant) -> Duration { lhs.offset - rhs.offset }
        /// `lhs` moved on by `rhs`.
        public static func + (lhs: Instant, rhs: Duration) -> Instant { lhs.advanced(by: rhs) }
    }

    private let reading: @Sendable () -> Duration
    private let sleeping: @Sendable (Duration, Duration?) async throws -> Void
    private let wallTime: @Sendable () -> Date
    public let minimumResolution: Duration

    /// A clock over `clock`, reading the wall-clock time from `date`.
    /// - Parameters:
    ///   - clock: the monotonic time source (`ContinuousClock` in production, a manual clock in tests).
    ///   - date: the wall-clock time source; a test clock derives it from `clock`'s time.
    public init<Base: Clock>(_ clock: Base, date: @escaping @Sendable () -> Date) where Base.Duration == Duration, Base: Sendable {
        let origin = clock.now
        reading = { origin.duration(to: clock.now) }
        sleeping = { offset, tolerance in try await clock.sleep(until: origin.advanced(by: offset), tolerance: tolerance) }
        wallTime = date
        minimumResolution = clock.minimumResolution
    }

    /// The machine's clocks: `ContinuousClock` for waits, the system time for dates.
    public static let system = BerrysClock(ContinuousClock(), date: { Date() })

    public var now: Instant { Instant(offset: reading()) }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await sleeping(deadline.offset, tolerance)
    }

    /// The wall-clock time now.
    public var date: Date { wallTime() }

    /// The wall-clock time now in whole milliseconds since the Unix epoch (Redis scores and
    /// lease expiries).
    public var unixMilliseconds: Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
}

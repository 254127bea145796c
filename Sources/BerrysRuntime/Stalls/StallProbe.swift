/// How late a periodic wake-up came, as a pure value: what a stall is, and when the next
/// wake-up is due. No clock and no I/O: the detector feeds it instants.
///
/// A probe asks to wake every `interval`; whatever stops it from running on time (a cooperative
/// thread blocked by a synchronous call, a lock held across a wait, the process descheduled by
/// the machine) shows as lateness. The next wake-up is planned from when it really woke, so a
/// stall of ten intervals counts once, with its full length, not as ten late ticks.
public struct StallProbe<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// Time between wake-ups.
    public let interval: Duration
    /// Lateness from which a wake-up counts as a stall.
    public let warnAt: Duration
    /// When the next wake-up is due.
    public private(set) var due: Instant
    /// The longest lateness seen.
    public private(set) var worst: Duration = .zero
    /// How many wake-ups were stalls.
    public private(set) var stalls = 0

    /// - Parameters:
    ///   - start: now, when the probe starts.
    ///   - interval: time between wake-ups (100 ms in the product).
    ///   - warnAt: lateness that counts as a stall (250 ms in the product).
    public init(start: Instant, interval: Duration, warnAt: Duration) {
        self.interval = interval
        self.warnAt = warnAt
        self.due = start.advanced(by: interval)
    }

    /// Records a wake-up at `now` and plans the next one an interval later.
    public mutating func woke(at now: Instant) -> StallWake {
        let lateness = max(.zero, due.duration(to: now))
        worst = max(worst, lateness)
        let isStall = lateness >= warnAt
        if isStall { stalls += 1 }
        due = now.advanced(by: interval)
        return StallWake(lateness: lateness, isStall: isStall)
    }
}

/// What one wake-up of a `StallProbe` showed.
public struct StallWake: Sendable, Equatable {
    /// How long after its due time it came (never negative).
    public var lateness: Duration
    /// Whether that is a stall worth a warning (at least the probe's `warnAt`).
    public var isStall: Bool
}

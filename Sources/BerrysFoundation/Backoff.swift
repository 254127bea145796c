/// Exponential backoff with equal jitter, as a pure value: it computes delays, it never sleeps.
///
/// The delay before retry n is uniform in [c/2, c], where c = min(initial × multiplier^n,
/// maximum) ("equal jitter": never less than half the ceiling, so retries keep spreading out,
/// yet clients that failed together do not retry together). The product's settings are the
/// named presets in `Backoff+Presets.swift`.
public struct Backoff: Sendable, Hashable {
    /// The delay before the first retry.
    public var initial: Duration
    /// The largest delay.
    public var maximum: Duration
    /// How much each delay grows.
    public var multiplier: Double

    /// Creates a backoff policy.
    /// - Parameters:
    ///   - initial: the first delay's upper bound.
    ///   - maximum: the cap on any delay.
    ///   - multiplier: growth per attempt.
    public init(initial: Duration = .milliseconds(50), maximum: Duration = .seconds(5), multiplier: Double = 2) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
    }

    /// The upper bound of the delay before retry number `attempt` (0-based), without jitter.
    public func ceiling(attempt: Int) -> Duration {
        var value = initial
        for _ in 0..<max(0, min(attempt, 64)) {
            value = value * multiplier
            if value >= maximum { return maximum }
        }
        return min(value, maximum)
    }

    /// The delay before retry number `attempt` (0-based): uniform in [ceiling/2, ceiling].
    /// - Parameter random: the source of jitter, injectable for tests.
    public func delay<R: RandomNumberGenerator>(attempt: Int, using random: inout R) -> Duration {
        let top = ceiling(attempt: attempt)
        return .seconds(Double.random(in: (top.inSeconds / 2)...top.inSeconds, using: &random))
    }

    /// The delay before retry number `attempt` with the system's random source.
    public func delay(attempt: Int) -> Duration {
        var random = SystemRandomNumberGenerator()
        return delay(attempt: attempt, using: &random)
    }
}

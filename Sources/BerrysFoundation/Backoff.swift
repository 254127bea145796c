/// Exponential backoff with equal jitter, as a pure value: it computes delays, it never sleeps.
///
/// The delay before retry n is uniform in [c/2, c], where c = min(initial × multiplier^n,
/// maximum) ("equal jitter": never less than half the ceiling, so retries keep spreading out,
/// yet clients that failed together do not retry together). The product's settings are the
/// named presets in `Backoff+Presets.swift`.
public struct Backoff: Sendable, Hashable {
    /// The delay before the first retry, in seconds.
    public var initial: Double
    /// The largest delay, in seconds.
    public var maximum: Double
    /// How much each delay grows.
    public var multiplier: Double

    /// Creates a backoff policy.
    /// - Parameters:
    ///   - initial: the first delay's upper bound, in seconds.
    ///   - maximum: the cap on any delay, in seconds.
    ///   - multiplier: growth per attempt.
    public init(initial: Double = 0.05, maximum: Double = 5, multiplier: Double = 2) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
    }

    /// The upper bound of the delay before retry number `attempt` (0-based), without jitter.
    public func ceiling(attempt: Int) -> Double {
        var value = initial
        for _ in 0..<max(0, min(attempt, 64)) {
            value *= multiplier
            if value >= maximum { return maximum }
        }
        return min(value, maximum)
    }

    /// The delay before retry number `attempt` (0-based): uniform in [ceiling/2, ceiling].
    /// - Parameter random: the source of jitter, injectable for tests.
    public func delay<R: RandomNumberGenerator>(attempt: Int, using random: inout R) -> Double {
        let top = ceiling(attempt: attempt)
        return Double.random(in: (top / 2)...top, using: &random)
    }

    /// The delay before retry number `attempt` with the system's random source.
    public func delay(attempt: Int) -> Double {
        var random = SystemRandomNumberGenerator()
        return delay(attempt: attempt, using: &random)
    }
}

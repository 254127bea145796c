import Foundation

extension Duration {
    /// The duration in seconds, as a `Double` (for clocks, timeouts and figures).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// The duration in whole milliseconds, rounded down (what Redis's `BLOCK` and `PX` take).
    public var inMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    /// The duration for log lines, in seconds with two decimals (`1.25 s`).
    public var secondsText: String { String(format: "%.2f s", inSeconds) }
}

/// Whether a memory series keeps growing, as a pure decision over its samples.
///
/// The first quarter of the run is warm-up (caches fill, pools open, the allocator settles) and
/// is left out. Over the rest, a least-squares line: the series grows without bound when that
/// line rises by more than the allowance across the judged window — 16 MiB, or a fifth of the
/// level at the end of warm-up if that is more. A leak of the size the workers once had (1.4 KB
/// per event, at 60 units/s ≈ 7 MB a minute) crosses it within a few minutes; allocator noise
/// (a few MB up and down) does not.
struct MemoryGrowth: Sendable, Equatable {
    /// One sample: when, in minutes since the start, and how many bytes.
    struct Sample: Sendable, Equatable {
        var minutes: Double
        var bytes: Double
    }

    /// The level at the end of warm-up, in bytes.
    let warm: Double
    /// The last sample, in bytes.
    let last: Double
    /// The fitted rise per minute after warm-up, in bytes.
    let slopePerMinute: Double
    /// How much the fitted line rose over the judged window, in bytes.
    let rise: Double
    /// The most it may rise, in bytes.
    let allowance: Double
    /// Fewer than three samples after warm-up: nothing to judge.
    let tooShort: Bool

    /// True when the series grows beyond the allowance.
    var isUnbounded: Bool { !tooShort && rise > allowance }

    static let minimumAllowance = 16.0 * 1024 * 1024

    init(samples: [Sample]) {
        let end = samples.last?.minutes ?? 0
        let judged = samples.filter { $0.minutes >= end / 4 }
        warm = judged.first?.bytes ?? 0
        last = samples.last?.bytes ?? 0
        allowance = max(Self.minimumAllowance, warm / 5)
        tooShort = judged.count < 3
        guard !tooShort, let first = judged.first, let final = judged.last, final.minutes > first.minutes else {
            slopePerMinute = 0
            rise = 0
            return
        }
        let n = Double(judged.count)
        let meanT = judged.map(\.minutes).reduce(0, +) / n, meanB = judged.map(\.bytes).reduce(0, +) / n
        let covariance = judged.map { ($0.minutes - meanT) * ($0.bytes - meanB) }.reduce(0, +)
        let variance = judged.map { ($0.minutes - meanT) * ($0.minutes - meanT) }.reduce(0, +)
        slopePerMinute = variance > 0 ? covariance / variance : 0
        rise = slopePerMinute * (final.minutes - first.minutes)
    }

    /// The series as a line of block characters, lowest to highest (for a glance at its shape).
    static func sparkline(_ values: [Double]) -> String {
        let blocks = Array("▁▂▃▄▅▆▇█")
        guard let low = values.min(), let high = values.max() else { return "" }
        let span = high - low
        return String(values.map { span > 0 ? blocks[min(blocks.count - 1, Int((($0 - low) / span) * Double(blocks.count)))] : blocks[0] })
    }
}

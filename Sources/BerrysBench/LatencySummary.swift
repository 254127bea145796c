/// p50, p99 and max of latencies in milliseconds: the percentiles every benchmark reports
/// (the sample at index ⌊q·n⌋ of the sorted latencies).
struct LatencySummary {
    let p50: Double, p99: Double, max: Double, count: Int

    init<Sample: BinaryFloatingPoint>(_ samples: [Sample]) {
        let sorted = samples.sorted()
        count = sorted.count
        func at(_ q: Double) -> Double { sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))]) }
        p50 = at(0.5)
        p99 = at(0.99)
        max = sorted.last.map { Double($0) } ?? 0
    }

    var text: String {
        String(format: "p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d events)", p50, p99, max, count)
    }
}

import Testing
@testable import BerrysBench

/// The soak's growth rule, without processes: warm-up left out, a fitted line, an allowance.
@Suite struct MemoryGrowthTests {
    private let mebibyte = 1_048_576.0

    /// A sample a minute for `minutes` minutes from `level(minute)` MiB.
    private func series(_ minutes: Int, _ level: (Double) -> Double) -> [MemoryGrowth.Sample] {
        (0...minutes).map { MemoryGrowth.Sample(minutes: Double($0), bytes: level(Double($0)) * mebibyte) }
    }

    @Test func aFlatSeriesWithAllocatorNoiseIsBounded() {
        let growth = MemoryGrowth(samples: series(30) { 60 + ($0.truncatingRemainder(dividingBy: 3) - 1) * 3 })
        #expect(!growth.tooShort)
        #expect(!growth.isUnbounded)
        #expect(abs(growth.rise) < 2 * mebibyte)
    }

    @Test func aLeakOfSevenMegabytesAMinuteIsUnbounded() {
        let growth = MemoryGrowth(samples: series(30) { 60 + 7 * $0 })
        #expect(growth.isUnbounded)
        #expect(abs(growth.slopePerMinute - 7 * mebibyte) < 0.01 * mebibyte)
        #expect(abs(growth.rise - 7 * 22 * mebibyte) < 0.1 * mebibyte)  // judged from minute 7.5 (the first sample: 8) to 30
    }

    @Test func growthDuringWarmUpDoesNotCount() {
        let growth = MemoryGrowth(samples: series(30) { $0 < 7 ? 20 + 10 * $0 : 90 })
        #expect(growth.warm == 90 * mebibyte)
        #expect(!growth.isUnbounded)
    }

    @Test func theAllowanceIsAFifthOfTheWarmLevelWhenThatIsMore() {
        let small = MemoryGrowth(samples: series(20) { 40 + $0 })
        #expect(small.allowance == MemoryGrowth.minimumAllowance)
        let large = MemoryGrowth(samples: series(20) { 200 + 1.5 * $0 })
        #expect(abs(large.allowance - large.warm / 5) < 1)
        #expect(!large.isUnbounded)  // +22.5 MiB over 15 minutes, under 40+ MiB allowed
        #expect(MemoryGrowth(samples: series(20) { 200 + 4 * $0 }).isUnbounded)  // +60 MiB
    }

    @Test func fewerThanThreeJudgedSamplesAreTooShortToJudge() {
        let growth = MemoryGrowth(samples: series(2) { 10 + 100 * $0 })
        #expect(growth.tooShort)
        #expect(!growth.isUnbounded)
        #expect(MemoryGrowth(samples: []).tooShort)
    }

    @Test func sparklinesSpanLowestToHighest() {
        #expect(MemoryGrowth.sparkline([0, 1]) == "▁█")
        #expect(MemoryGrowth.sparkline([5, 5, 5]) == "▁▁▁")
        #expect(MemoryGrowth.sparkline([0, 4, 8]) == "▁▅█")
        #expect(MemoryGrowth.sparkline([]) == "")
    }
}

@testable import Projections
import Testing

@Suite struct AnalyzeScheduleTests {
    @Test func analyzesEachTimeTheAppliedEventsDouble() {
        var schedule = AnalyzeSchedule(first: 1000)
        let due = [400, 999, 1000, 1500, 2100, 3999, 4000, 4001, 9000].filter { schedule.isDue(applied: $0) }
        #expect(due == [1000, 2100, 4000, 9000])
        #expect(schedule.next == 16000)
    }

    @Test func aBigFirstBatchIsOneAnalyzeNotOnePerThresholdItPassed() {
        var schedule = AnalyzeSchedule(first: 1000)
        let atFirstBatch = schedule.isDue(applied: 20000)
        #expect(atFirstBatch)
        #expect(schedule.next == 32000)
        let beforeTheNext = schedule.isDue(applied: 31999)
        #expect(!beforeTheNext)
    }

    @Test func aboutTenAnalyzesOverAMillionEvents() {
        var schedule = AnalyzeSchedule()
        let count = stride(from: 5000, through: 1_000_000, by: 5000).filter { schedule.isDue(applied: $0) }.count
        #expect(count == 8)
    }
}

import BerrysFoundation
import Testing

/// The fair-share rule of the workers' and the projectors' partition leases.
@Suite struct LeasePlanTests {
    @Test func aLoneProcessTakesEveryPartition() {
        let plan = LeasePlan(partitions: 4, liveMembers: 1, held: [], free: [0, 1, 2, 3], offset: 2)
        #expect(plan.acquire == [2, 3, 0, 1])
        #expect(plan.release.isEmpty)
    }

    @Test func aProcessGivesBackWhatIsAboveItsShareWhenAnotherJoins() {
        let plan = LeasePlan(partitions: 4, liveMembers: 2, held: [0, 1, 2, 3], free: [])
        #expect(plan.release == [2, 3])
        #expect(plan.acquire.isEmpty)
    }

    @Test func theNewcomerTakesFreedPartitionsUpToItsShare() {
        #expect(LeasePlan(partitions: 4, liveMembers: 2, held: [], free: [2, 3]).acquire == [2, 3])
        #expect(LeasePlan(partitions: 4, liveMembers: 2, held: [1], free: [2, 3]).acquire == [2])
        #expect(LeasePlan(partitions: 5, liveMembers: 2, held: [], free: [0, 1, 2, 3, 4]).acquire.count == 3)
    }
}

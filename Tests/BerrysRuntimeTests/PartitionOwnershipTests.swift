import BerrysRuntime
import Testing

/// The ownership rules as a pure value: no store, no clock, no tasks.
@Suite struct PartitionOwnershipTests {
    @Test func aLoneProcessTakesEveryFreePartitionFromItsOffset() {
        var ownership = PartitionOwnership(partitions: 4, offset: 2)
        let plan = ownership.plan(liveMembers: 1, free: [0, 1, 2, 3])
        #expect(plan.giveBack.isEmpty && plan.take == [2, 3, 0, 1])
        for partition in plan.take { ownership.acquired(partition) }
        #expect(ownership.toRenew == [0, 1, 2, 3])
    }

    /// A second process joins: half is given back gracefully, and each lease is released only
    /// once its work has ended.
    @Test func aJoinerGetsItsShareAfterTheWorkGivenBackHasEnded() {
        var ownership = PartitionOwnership(partitions: 4, offset: 0)
        for partition in ownership.plan(liveMembers: 1, free: [0, 1, 2, 3]).take { ownership.acquired(partition) }
        let plan = ownership.plan(liveMembers: 2, free: [])
        #expect(plan.giveBack == [2, 3] && plan.take.isEmpty)
        #expect(ownership.held[2] == .givingBack && ownership.toRenew == [0, 1, 2, 3], "renewed until released")
        #expect(ownership.workEnded([]).isEmpty, "nothing released while the work runs")
        #expect(ownership.workEnded([3]) == [3])
        #expect(ownership.plan(liveMembers: 2, free: [3]).take.isEmpty, "not taken back: its share is reached")
        #expect(ownership.workEnded([2]) == [2] && ownership.toRenew == [0, 1])
    }

    /// A lost lease: the work is cancelled, its lease neither renewed nor released, and the
    /// partition not taken again until the work has ended.
    @Test func aLostLeaseIsCancelledAndNotTakenAgainWhileItsWorkRuns() {
        var ownership = PartitionOwnership(partitions: 2, offset: 0)
        for partition in ownership.plan(liveMembers: 1, free: [0, 1]).take { ownership.acquired(partition) }
        #expect(ownership.leasesLost([1, 5]) == [1], "only owned partitions")
        #expect(ownership.leasesLost([1]).isEmpty, "cancelled once")
        #expect(ownership.toRenew == [0])
        #expect(ownership.plan(liveMembers: 1, free: [1]).take.isEmpty, "its old work still runs")
        #expect(ownership.workEnded([1]).isEmpty, "a lost lease is not released")
        #expect(ownership.plan(liveMembers: 1, free: [1]).take == [1])
    }

    /// Work that stopped by itself (a fenced read refused) has its lease released.
    @Test func workThatEndedByItselfReleasesItsLease() {
        var ownership = PartitionOwnership(partitions: 1, offset: 0)
        ownership.acquired(0)
        #expect(ownership.workEnded([0]) == [0] && ownership.held.isEmpty)
    }

    @Test func ticksAreQuickWhilePartitionsMoveThenNormal() {
        var ownership = PartitionOwnership(partitions: 2, offset: 0, quickTicks: 2)
        let (normal, quick) = (Duration.seconds(2), Duration.milliseconds(50))
        for partition in ownership.plan(liveMembers: 1, free: [0, 1]).take { ownership.acquired(partition) }
        #expect(ownership.pause(normal: normal, quick: quick) == quick)
        _ = ownership.plan(liveMembers: 1, free: [])
        #expect(ownership.pause(normal: normal, quick: quick) == quick, "the second of two quick ticks")
        _ = ownership.plan(liveMembers: 1, free: [])
        #expect(ownership.pause(normal: normal, quick: quick) == normal)
        _ = ownership.plan(liveMembers: 2, free: [])  // a process joined: one is given back
        #expect(ownership.pause(normal: normal, quick: quick) == quick)
    }
}

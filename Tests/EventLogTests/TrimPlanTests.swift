import EventLog
import Testing

/// The retention rules without Redis: what may be trimmed, and what holds it back.
@Suite struct TrimPlanTests {
    static let now: UInt64 = 1_800_000_000_000

    func id(_ milliseconds: UInt64, _ sequence: UInt64 = 0) -> StreamID { StreamID(milliseconds: milliseconds, sequence: sequence) }

    @Test func retentionPoliciesParseAndRefuseWithTheVariableNamed() throws {
        #expect(try RetentionPolicy(parsing: "") == .keepAll)
        #expect(try RetentionPolicy(parsing: "all") == .keepAll)
        #expect(try RetentionPolicy(parsing: "entries:200000") == .entries(200_000))
        #expect(try RetentionPolicy(parsing: "age:7d") == .age(seconds: 7 * 86_400))
        #expect(try RetentionPolicy(parsing: "AGE:90m") == .age(seconds: 5400))
        #expect(try RetentionPolicy(parsing: "age:30") == .age(seconds: 30))
        #expect(RetentionPolicy.age(seconds: 7 * 86_400).description == "age:7d")
        #expect(RetentionPolicy.entries(5).description == "entries:5")
        for bad in ["entries:0", "entries:-1", "entries:x", "age:7w", "age:", "keep", "age:99999999999999999d"] {
            #expect(throws: EventLogError.self, "\(bad)") { try RetentionPolicy(parsing: bad) }
            do { _ = try RetentionPolicy(parsing: bad) } catch let error as EventLogError {
                #expect(error.field == "BERRYS_RETENTION")
                #expect(error.message.contains(bad))
            }
        }
    }

    @Test func keepAllNeverTrims() {
        let plan = TrimPlan(policy: .keepAll, length: 1_000_000, firstEntry: id(1), nowMilliseconds: Self.now,
                            archiveCheckpoint: id(900), groups: [])
        #expect(plan.cap == nil)
        #expect(!plan.isHeld)
    }

    @Test func nothingGoesWithoutALiveArchive() {
        let plan = TrimPlan(policy: .entries(10), length: 100, firstEntry: id(1), nowMilliseconds: Self.now,
                            archiveCheckpoint: nil, groups: [])
        #expect(plan.cap == nil)
        #expect(plan.isHeld)
        #expect(plan.lowestLimit?.description.contains("archive projection is not live") == true)
    }

    @Test func entriesPolicyStopsAtTheArchiveCheckpoint() {
        let plan = TrimPlan(policy: .entries(10), length: 100, firstEntry: id(1), nowMilliseconds: Self.now,
                            archiveCheckpoint: id(50, 3), groups: [])
        #expect(plan.cap == id(50, 4), "entries up to and including the checkpoint may go")
        #expect(plan.maximumEntries == 90)
        #expect(!plan.isHeld, "entries below the checkpoint can still go")
        let within = TrimPlan(policy: .entries(100), length: 100, firstEntry: id(1), nowMilliseconds: Self.now,
                              archiveCheckpoint: id(50), groups: [])
        #expect(within.cap == nil)
        #expect(within.maximumEntries == 0)
        #expect(!within.isHeld)
    }

    @Test func theSlowestGroupBoundsTheSafePoint() {
        let groups: [TrimPlan.Limit.Reader] = [
            .group(name: "fast", lastDelivered: id(90), oldestPending: nil),
            .group(name: "slow", lastDelivered: id(80), oldestPending: nil),
            .group(name: "stuck", lastDelivered: id(95), oldestPending: id(20, 1)),
        ]
        let plan = TrimPlan(policy: .entries(1), length: 100, firstEntry: id(20), nowMilliseconds: Self.now,
                            archiveCheckpoint: id(99), groups: groups)
        #expect(plan.cap == id(20, 1), "a pending entry stays in Redis until acknowledged")
        #expect(plan.lowestLimit?.description == "consumer group stuck (oldest pending 20-1)")
        #expect(!plan.isHeld, "20-0 can still go")
        let held = TrimPlan(policy: .entries(1), length: 99, firstEntry: id(20, 1), nowMilliseconds: Self.now,
                            archiveCheckpoint: id(99), groups: groups)
        #expect(held.isHeld)
        let fresh = TrimPlan(policy: .entries(1), length: 100, firstEntry: id(1), nowMilliseconds: Self.now,
                             archiveCheckpoint: id(99), groups: [.group(name: "new", lastDelivered: .zero, oldestPending: nil)])
        #expect(fresh.cap == id(0, 1), "a group that has read nothing holds everything")
        #expect(fresh.isHeld)
        #expect(fresh.lowestLimit?.description == "consumer group new (last delivered 0-0)")
    }

    @Test func agePolicyTrimsOnlyOlderEntriesAndOnlyWhatIsArchived() {
        let day: UInt64 = 86_400_000
        let old = TrimPlan(policy: .age(seconds: 86_400), length: 10, firstEntry: id(Self.now - 3 * day), nowMilliseconds: Self.now,
                           archiveCheckpoint: id(Self.now), groups: [])
        #expect(old.cap == id(Self.now - day), "the age bound, below the archive's")
        #expect(old.maximumEntries == nil)
        let young = TrimPlan(policy: .age(seconds: 86_400), length: 10, firstEntry: id(Self.now - day / 2), nowMilliseconds: Self.now,
                             archiveCheckpoint: id(Self.now), groups: [])
        #expect(young.cap == nil)
        #expect(!young.isHeld)
        let behind = TrimPlan(policy: .age(seconds: 86_400), length: 10, firstEntry: id(Self.now - 3 * day), nowMilliseconds: Self.now,
                              archiveCheckpoint: id(Self.now - 3 * day), groups: [])
        #expect(behind.cap == id(Self.now - 3 * day, 1), "the archive's bound, below the age's")
        let stuck = TrimPlan(policy: .age(seconds: 86_400), length: 10, firstEntry: id(Self.now - 3 * day, 1), nowMilliseconds: Self.now,
                             archiveCheckpoint: id(Self.now - 3 * day), groups: [])
        #expect(stuck.isHeld)
        #expect(stuck.lowestLimit?.description.contains("archive projection (checkpoint") == true)
    }

    @Test func successorIsTheNextPossibleID() {
        #expect(id(5, 2).successor == id(5, 3))
        #expect(StreamID(milliseconds: 5, sequence: .max).successor == id(6, 0))
    }
}

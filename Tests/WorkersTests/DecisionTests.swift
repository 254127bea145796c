import Foundation
import Testing
@testable import Workers

@Suite struct DeterministicIDTests {
    @Test func matchesRFC9562Version5() {
        // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
        let dns: [UInt8] = [0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8]
        #expect(DeterministicID.uuid("python.org", namespace: dns) == "886313e1-3b8a-5372-9b90-0c9aee199e5d")
        // Python: uuid.uuid5(<berrys namespace>, "berrys/worker/w/abc/0")
        #expect(DeterministicID.emittedEventID(worker: "w", causingEventID: "abc", index: 0) == "7cc480b2-8d11-5c58-8f9c-53e5cbd01e06")
    }

    @Test func differsByWorkerCauseAndIndex() {
        let ids = Set([
            DeterministicID.emittedEventID(worker: "a", causingEventID: "e", index: 0),
            DeterministicID.emittedEventID(worker: "b", causingEventID: "e", index: 0),
            DeterministicID.emittedEventID(worker: "a", causingEventID: "f", index: 0),
            DeterministicID.emittedEventID(worker: "a", causingEventID: "e", index: 1),
        ])
        #expect(ids.count == 4)
    }

    @Test func sha1KnownVectors() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA1.digest([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex(SHA1.digest(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(hex(SHA1.digest(long)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }
}

@Suite struct ClaimPlanTests {
    func entry(_ id: String, _ consumer: String, idle: Int64) -> PendingEntry {
        PendingEntry(id: id, consumer: consumer, idleMilliseconds: idle, deliveries: 1)
    }

    @Test func goneConsumersAreClaimedAtOnceLiveOnesAfterTheVisibilityTimeout() {
        let pending = [entry("1-0", "dead", idle: 10), entry("2-0", "alive", idle: 10), entry("3-0", "alive", idle: 5000),
                       entry("4-0", "me", idle: 0)]
        let plan = ClaimPlan(pending: pending, me: "me", liveConsumers: ["alive", "me"], visibilityMilliseconds: 1000, includeOwn: false)
        #expect(plan.claimNow == ["1-0", "3-0"])
        #expect(plan.notYetClaimable == 1)
    }

    @Test func ownEntriesAreTakenBackOnlyAtStart() {
        let pending = [entry("4-0", "me", idle: 0)]
        #expect(ClaimPlan(pending: pending, me: "me", liveConsumers: ["me"], visibilityMilliseconds: 1000, includeOwn: true).claimNow == ["4-0"])
        #expect(ClaimPlan(pending: pending, me: "me", liveConsumers: ["me"], visibilityMilliseconds: 1000, includeOwn: false).claimNow.isEmpty)
    }
}

import TestSupport
import Testing
@testable import Workers

@Suite struct InHandTests {
    private func delivery(_ index: Int) -> Delivery {
        Delivery.received(fields: [("subject", "key-\(index)")], streamID: "1-\(index)", partition: 0, origin: .stream,
                        registry: TestLog.registry, deliveryCount: 1)
    }

    /// A consumer under steady load never sees its ready queue empty: what it handed out and
    /// finished must still be released (a worker's memory grew with every event it processed).
    @Test func finishedDeliveriesAreReleasedWhileTheReadyQueueNeverRunsEmpty() {
        var hand = InHand()
        weak var firstEntry: Delivery.Entry?
        var next = 0
        for round in 0..<50 {
            for _ in 0..<100 {
                let fresh = delivery(next)
                if next == 0 { firstEntry = fresh.entry }
                hand.admit(fresh)
                next += 1
            }
            // Take and finish fewer than were admitted: something is always left ready.
            for taken in hand.takeReady(max: round == 0 ? 60 : 100) { hand.finished(.done(taken)) }
        }
        #expect(firstEntry == nil, "a finished delivery is still referenced by the hand")
        #expect(hand.acks.count == 60 + 49 * 100)
        #expect(hand.count == 5000 - hand.acks.count)
        #expect(hand.readyCount == hand.count)
    }
}

import EventLog
import Testing
@testable import Subscriptions

/// `SubscriberQueue`: batches what waits, never makes the hub wait, overflows once full.
@Suite struct SubscriberQueueTests {
    static let beat = LiveItem.heartbeat([.zero])

    @Test func whatWaitsIsTakenAtOnce() async {
        let queue = SubscriberQueue(capacity: 10)
        for _ in 0..<3 { #expect(queue.offer(Self.beat)) }
        #expect(await queue.next()?.count == 3)
        // A waiting taker gets the next item as soon as it is offered.
        async let taken = queue.next()
        await Self.untilWaiting(queue)
        queue.offer(Self.beat)
        #expect(await taken?.count == 1)
    }

    @Test func aFullQueueOverflowsOnceAndEnds() async {
        let queue = SubscriberQueue(capacity: 2)
        #expect(queue.offer(Self.beat) && queue.offer(Self.beat))
        #expect(!queue.offer(Self.beat), "the third item overflows")
        #expect(queue.didOverflow)
        #expect(queue.offer(Self.beat), "an ended queue takes items without complaint, and drops them")
        #expect(await queue.next() == nil, "what was queued is dropped with the overflow: the client resumes from its token")
    }

    @Test func endingOrCancellingReleasesTheTaker() async {
        let queue = SubscriberQueue(capacity: 2)
        async let ended = queue.next()
        await Self.untilWaiting(queue)
        queue.end()
        #expect(await ended == nil)
        #expect(!queue.didOverflow)

        let other = SubscriberQueue(capacity: 2)
        let task = Task { await other.next() }
        await Self.untilWaiting(other)
        task.cancel()
        #expect(await task.value == nil)
    }

    /// Returns once a taker waits in the queue: the waiting path is tested, not a race.
    static func untilWaiting(_ queue: SubscriberQueue) async {
        while !queue.hasWaitingTaker { await Task.yield() }
    }
}

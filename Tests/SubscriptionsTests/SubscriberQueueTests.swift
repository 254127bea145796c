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
        try? await Task.sleep(for: .milliseconds(50))
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
        try? await Task.sleep(for: .milliseconds(50))
        queue.end()
        #expect(await ended == nil)
        #expect(!queue.didOverflow)

        let other = SubscriberQueue(capacity: 2)
        let task = Task { await other.next() }
        try? await Task.sleep(for: .milliseconds(50))
        task.cancel()
        #expect(await task.value == nil)
    }
}

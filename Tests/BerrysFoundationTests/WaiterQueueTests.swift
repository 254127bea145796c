import BerrysFoundation
import Testing

/// The one waiter queue: first come first served, a value at once when there is one, and a
/// cancelled waiter leaves the queue without losing anything handed out.
@Suite struct WaiterQueueTests {
    /// A pool of two slots as the connectors' limit uses it.
    actor Served {
        var order: [Int] = []
        func append(_ value: Int) { order.append(value) }
    }

    struct Slots: Sendable {
        let queue = WaiterQueue<Int, Int, Int>(2)

        func acquire(_ who: Int) async throws -> Int {
            try await queue.wait(with: who) { free in
                guard free > 0 else { return .wait }
                free -= 1
                return .now(who)
            }
        }

        func release() {
            if let next = queue.take(whenEmpty: { $0 += 1 }).first { next.resume(next.payload) }
        }
    }

    static func untilWaiting(_ queue: WaiterQueue<Int, Int, Int>, _ count: Int) async {
        while queue.count < count { await Task.yield() }
    }

    @Test func waitersAreServedInTheOrderTheyCame() async throws {
        let slots = Slots()
        let first = try await slots.acquire(0), second = try await slots.acquire(1)
        #expect(first == 0 && second == 1, "free slots are taken at once")
        let served = Served()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for who in 2..<6 {
                group.addTask {
                    await served.append(try await slots.acquire(who))
                }
                await Self.untilWaiting(slots.queue, who - 1)  // joined in this order
            }
            for _ in 2..<6 { slots.release() }
            try await group.waitForAll()
        }
        #expect(await served.order == [2, 3, 4, 5])
        #expect(slots.queue.withShared { $0 } == 0, "each released slot went to a waiter")
    }

    @Test func aCancelledWaiterLeavesTheQueueAndTheNextOneIsServed() async throws {
        let slots = Slots()
        _ = try await slots.acquire(0)
        _ = try await slots.acquire(1)
        let cancelled = Task { try await slots.acquire(2) }
        await Self.untilWaiting(slots.queue, 1)
        let next = Task { try await slots.acquire(3) }
        await Self.untilWaiting(slots.queue, 2)
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(slots.queue.count == 1)
        slots.release()
        #expect(try await next.value == 3)
        slots.release()
        #expect(slots.queue.withShared { $0 } == 1, "the slot the cancelled waiter never got stays free")
    }

    @Test func anAlreadyCancelledTaskDoesNotWait() async {
        let queue = WaiterQueue<Void, Int, Int>(0)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await queue.wait(with: ()) { _ in .wait }
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(queue.count == 0)
    }
}

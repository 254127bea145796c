import BerrysFoundation
import Synchronization
import Testing

@Suite struct DedicatedThreadExecutorTests {
    actor Counter {
        let executor: DedicatedThreadExecutor
        var value = 0
        nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

        init(executor: DedicatedThreadExecutor) { self.executor = executor }
        func add() { value += 1 }
    }

    /// A closure given to `execute` runs on the executor's thread, where an actor using the
    /// executor can be entered with `assumeIsolated` (how the auto-pipeline serves reads).
    @Test func anExecutedClosureReachesTheStateOfItsActor() async {
        let executor = DedicatedThreadExecutor(name: "test")
        let counter = Counter(executor: executor)
        await counter.add()
        let seen = await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            executor.execute {
                continuation.resume(returning: counter.assumeIsolated { counter in
                    counter.value += 1
                    return counter.value
                })
            }
        }
        #expect(seen == 2)
        #expect(await counter.value == 2)
        executor.shutdown()
    }

    @Test func closuresRunOneAfterAnotherInTheOrderGiven() async {
        let executor = DedicatedThreadExecutor(name: "test")
        let order = Mutex<[Int]>([])
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            for index in 0..<200 { executor.execute { order.withLock { $0.append(index) } } }
            executor.execute { continuation.resume() }
        }
        #expect(order.withLock { $0 } == Array(0..<200))
        executor.shutdown()
    }
}

import BerrysFoundation
import TestSupport
import Testing
@testable import Workers

/// The consumer loop's rules, without Redis: what it does next after each event.
@Suite struct ConsumerLoopTests {
    private let configuration = ConsumerLoop.Configuration(
        concurrency: 2, batchSize: 10, deliveriesPerTask: 4, visibilityTimeout: .seconds(30), shutdownGrace: .seconds(5))
    private let start = BerrysClock.Instant(offset: .seconds(1000))

    private func delivery(_ id: Int, key: String) -> Delivery {
        Delivery.received(fields: [("subject", key)], streamID: "1-\(id)", partition: 0, origin: .stream,
                          registry: TestLog.registry, deliveryCount: 1)
    }

    /// The actions up to the first one the driver must wait on (claim, retries, wait, pause, finish).
    private func turn(_ loop: inout ConsumerLoop, at seconds: Double = 0, stop: ConsumerLoop.Stop = .running) -> [ConsumerLoop.Action] {
        var actions: [ConsumerLoop.Action] = []
        while true {
            let action = loop.nextAction(now: start + .milliseconds(Int(seconds * 1000)), stop: stop)
            actions.append(action)
            switch action {
            case .claim, .readRetries, .waitForEvent, .pause, .finish, .restart: return actions
            default: continue
            }
        }
    }

    /// The deliveries of each task the actions start.
    private func started(_ actions: [ConsumerLoop.Action]) -> [[Delivery]] {
        actions.compactMap { action in if case .startDeliveries(let batch) = action { batch } else { nil } }
    }

    /// A loop that claimed nothing, read the retry stream, and has a read in flight.
    private func reading() -> ConsumerLoop {
        var loop = ConsumerLoop(configuration: configuration)
        _ = turn(&loop)
        loop.claimed([], waiting: 0)
        _ = turn(&loop)
        loop.retriesRead([])
        _ = turn(&loop)
        return loop
    }

    @Test func aClaimIncludingItsOwnEntriesComesBeforeTheFirstRead() {
        var loop = ConsumerLoop(configuration: configuration)
        guard case .claim(includeOwn: true) = turn(&loop).last else { Issue.record("the first action is not a claim of everything"); return }
        loop.claimed([delivery(1, key: "a")], waiting: 0)
        guard case .readRetries = turn(&loop).last else { Issue.record("the retry stream is not read next"); return }
        loop.retriesRead([])
        let actions = turn(&loop)
        // The claimed delivery is started and a read goes out, not blocking since one runs.
        guard case .startRead(let acks, let block) = actions.first else { Issue.record("no read after the claim: \(actions)"); return }
        #expect(acks.isEmpty && !block)
        guard case .startDeliveries(let started) = actions[1] else { Issue.record("the claimed delivery did not start: \(actions)"); return }
        #expect(started.map(\.streamID) == ["1-1"])
        #expect(actions.contains { if case .startTick = $0 { true } else { false } })
        guard case .waitForEvent = actions.last else { Issue.record("the loop does not wait: \(actions)"); return }
    }

    @Test func noReadStartsWhileALiveConsumersEntriesAreNotClaimableYet() {
        var loop = ConsumerLoop(configuration: configuration)
        _ = turn(&loop)
        loop.claimed([], waiting: 3)
        _ = turn(&loop)
        loop.retriesRead([])
        guard case .pause = turn(&loop).last else { Issue.record("the loop does not pause while recovering"); return }
        // The next turn claims again (its own entries are in hand by now: not again), and reads once nothing is waiting.
        guard case .claim(includeOwn: false) = turn(&loop, at: 0.2).last else { Issue.record("no second claim"); return }
        loop.claimed([], waiting: 0)
        guard case .startRead(_, block: true) = turn(&loop, at: 0.2).first else { Issue.record("no read once nothing is waiting"); return }
    }

    @Test func shutdownWhileAReadIsInFlightProcessesWhatItBroughtThenFinishes() {
        var loop = reading()
        #expect(loop.reading)
        // Stop requested: nothing finishes while the read is out.
        guard case .waitForEvent = turn(&loop, at: 1, stop: .requested).last else { Issue.record("finished with a read in flight"); return }
        loop.readFinished(ReadBatch(deliveries: [delivery(1, key: "a")], unhandled: ["1-0"]))
        let actions = turn(&loop, at: 1.1, stop: .requested)
        guard case .startDeliveries(let started) = actions.first else { Issue.record("what was read is not processed: \(actions)"); return }
        #expect(!actions.contains { if case .startRead = $0 { true } else { false } }, "a stopping loop read again")
        #expect(loop.processed([.done(started[0])], stop: .requested).isEmpty)
        guard case .finish(let acks) = turn(&loop, at: 1.2, stop: .requested).last else { Issue.record("the loop did not finish"); return }
        #expect(acks == ["1-0", "1-1"])
    }

    @Test func afterTheGracePeriodWhatRunsIsCancelledAndAbandonedWithoutARestart() {
        var loop = reading()
        loop.readFinished(ReadBatch(deliveries: [delivery(1, key: "a")]))
        guard let running = started(turn(&loop, at: 1)).first else { Issue.record("nothing started"); return }
        guard case .waitForEvent = turn(&loop, at: 2, stop: .requested).last else { Issue.record("did not wait within the grace period"); return }
        let late = turn(&loop, at: 8, stop: .requested)
        guard case .cancelAll = late.first else { Issue.record("the grace period ended without a cancel: \(late)"); return }
        #expect(loop.processed([.abandoned(running[0])], stop: .requested).isEmpty, "a shutdown restarted")
        loop.readFinished(ReadBatch())
        guard case .finish = turn(&loop, at: 8.1, stop: .requested).last else { Issue.record("the loop did not finish"); return }
    }

    @Test func cancellationFinishesAtOnceWhenNothingRuns() {
        var loop = reading()
        loop.readFinished(ReadBatch(deliveries: [delivery(1, key: "a")]))
        guard case .finish = turn(&loop, at: 1, stop: .cancelled).last else { Issue.record("a cancelled loop went on"); return }
    }

    @Test func anEventAbandonedOutsideAShutdownRestartsTheLoop() {
        var loop = reading()
        loop.readFinished(ReadBatch(deliveries: [delivery(1, key: "a")]))
        guard let running = started(turn(&loop, at: 1)).first else { Issue.record("nothing started"); return }
        guard case .restart = loop.processed([.abandoned(running[0])], stop: .running).last else { Issue.record("no restart"); return }
    }

    /// A loop ended by an error (a lost lease, a restart) acknowledges what was done, also
    /// beside the abandoned event that caused the restart, and never the abandoned one.
    @Test func whatWasDoneBesideAnAbandonedEventIsLeftToAcknowledge() {
        var loop = reading()
        loop.readFinished(ReadBatch(deliveries: [delivery(1, key: "a"), delivery(2, key: "b"), delivery(3, key: "c")]))
        guard let chunk = started(turn(&loop, at: 1)).first, chunk.count == 2 else { Issue.record("no task of two"); return }
        let actions = loop.processed([.abandoned(chunk[0]), .done(chunk[1])], stop: .running)
        guard case .restart = actions.last else { Issue.record("no restart: \(actions)"); return }
        #expect(loop.acknowledgementsLeft() == [chunk[1].streamID])
        #expect(loop.acknowledgementsLeft().isEmpty, "taken once")
    }

    @Test func entriesReadWhileTheirKeyWasBeingParkedGoBehindIt() {
        var loop = reading()
        loop.readFinished(ReadBatch(deliveries: [delivery(1, key: "poison")]))
        let actions = turn(&loop, at: 1)
        guard case .startRead = actions.first, let running = started(actions).first else {
            Issue.record("no read beside the delivery: \(actions)"); return
        }
        // The delivery is parked while the second read is out; that read brings the next event of the key.
        #expect(loop.processed([.parked(running[0])], stop: .running).isEmpty)
        loop.readFinished(ReadBatch(deliveries: [delivery(2, key: "poison"), delivery(3, key: "other")]))
        let next = turn(&loop, at: 1)
        let deliveries = started(next).joined()
        #expect(deliveries.first { $0.key == "poison" }?.mode == .parkBehind)
        #expect(deliveries.first { $0.key == "other" }?.mode == .process)
    }

    @Test func laterEventsOfAKeyWaitWhileOneRunsAndReadyOnesAreSharedAmongTheSlots() {
        var loop = reading()
        loop.readFinished(ReadBatch(deliveries: (1...6).map { delivery($0, key: $0 == 2 ? "k1" : "k\($0)") }))
        let tasks = started(turn(&loop, at: 1))
        // Five keys are ready (the second event of k1 waits behind the first); two slots share them 3 + 2.
        #expect(tasks.map(\.count) == [3, 2])
        #expect(!tasks.joined().contains { $0.streamID == "1-2" })
        #expect(loop.running == 2)
    }

    @Test func acknowledgementsGoWithTheNextReadOrAreFlushedWhenNothingRuns() {
        var loop = reading()
        loop.readFinished(ReadBatch(deliveries: [delivery(1, key: "a")], unhandled: ["1-0"]))
        // The unhandled entry's acknowledgement goes with the next read.
        guard case .startRead(let acks, _) = turn(&loop, at: 1).first else { Issue.record("no read"); return }
        #expect(acks == ["1-0"])
    }

    @Test func retriedAloneDeliveriesTakeASlotOfTheirOwn() {
        var loop = reading()
        loop.readFinished(ReadBatch(deliveries: [delivery(1, key: "a"), delivery(2, key: "b"), delivery(3, key: "c")]))
        let tasks = started(turn(&loop, at: 1))
        #expect(tasks.map(\.count) == [2, 1])
        guard tasks.count == 2 else { return }
        let actions = loop.processed([.done(tasks[0][0]), .retryAlone(tasks[0][1])], stop: .running)
        guard case .startRetryAlone(let again) = actions.first else { Issue.record("the failed first attempt is not run alone"); return }
        #expect(again.streamID == "1-2")
        #expect(loop.running == 2)
    }
}

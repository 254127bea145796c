import BerrysFoundation
import EventLog
@testable import Projections
import Testing

@Suite struct WatchStateTests {
    let position = Position(partition: 1, streamID: StreamID(milliseconds: 100, sequence: 2))
    let later = BerrysClock.Instant(offset: .seconds(60))

    @Test func nothingIsRegisteredWithoutAWatchLoop() {
        var state = WatchState()
        #expect(state.register(projection: "p", position: position, deadline: later) == nil)
    }

    @Test func aWaiterIsSatisfiedOnlyByItsProjectionAndPartitionAtOrPastItsPosition() throws {
        var state = WatchState()
        state.running = true
        let idRegistered = state.register(projection: "p", position: position, deadline: later)
        let id = try #require(idRegistered)
        #expect(state.projectionsWaitedOn == ["p"])
        #expect(state.satisfied(projection: "q", by: [1: StreamID(milliseconds: 999, sequence: 0)]).isEmpty)
        #expect(state.satisfied(projection: "p", by: [0: StreamID(milliseconds: 999, sequence: 0)]).isEmpty)
        #expect(state.satisfied(projection: "p", by: [1: StreamID(milliseconds: 100, sequence: 1)]).isEmpty)
        #expect(state.satisfied(projection: "p", by: [1: StreamID(milliseconds: 100, sequence: 2)]) == [id])
    }

    @Test func anOutcomeDecidedBeforeTheTaskWaitsIsKeptForIt() throws {
        var state = WatchState()
        state.running = true
        let idRegistered = state.register(projection: "p", position: position, deadline: later)
        let id = try #require(idRegistered)
        #expect(state.decide(id, true) == nil)
        #expect(state.decide(id, false) == nil, "decided once")
        #expect(!state.hasWaiters(for: "p"))
        #expect(state.satisfied(projection: "p", by: [1: StreamID(milliseconds: 200, sequence: 0)]).isEmpty)
    }

    @Test func expiryFindsOnlyUndecidedWaitersPastTheirDeadline() throws {
        var state = WatchState()
        state.running = true
        let now = BerrysClock.Instant(offset: .seconds(1))
        let soonRegistered = state.register(projection: "p", position: position, deadline: now)
        let soon = try #require(soonRegistered)
        let decidedRegistered = state.register(projection: "p", position: position, deadline: now)
        let decided = try #require(decidedRegistered)
        _ = state.register(projection: "p", position: position, deadline: later)
        _ = state.decide(decided, true)
        #expect(state.expired(now: now) == [soon])
    }

    @Test func stoppingRefusesNewWaiters() throws {
        var state = WatchState()
        state.running = true
        #expect(state.register(projection: "p", position: position, deadline: later) != nil)
        #expect(state.stop().isEmpty, "no task was waiting yet")
        #expect(state.register(projection: "p", position: position, deadline: later) == nil)
    }
}

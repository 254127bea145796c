import EventLog
import Testing
@testable import Workers

/// `Backfill`, the rules of a group's catch-up below the trimmed point, without sockets.
@Suite struct BackfillTests {
    typealias Read = [(position: StreamID, entry: Backfill.Entry<String>?)]

    static func id(_ n: UInt64) -> StreamID { StreamID(milliseconds: n, sequence: 0) }

    /// Entries at 1…count, keys cycling through `keys`; every `unhandledEvery`-th is of a type
    /// the worker does not handle.
    static func read(_ positions: ClosedRange<UInt64>, keys: [String], unhandledEvery: UInt64 = 0) -> Read {
        positions.map { n in
            let handled = unhandledEvery == 0 || n % unhandledEvery != 0
            return (id(n), handled ? Backfill.Entry(position: id(n), key: keys[Int(n) % keys.count], payload: "e\(n)") : nil)
        }
    }

    @Test func wavesHoldDistinctKeysAndKeepEachKeysOrder() throws {
        var backfill = Backfill(target: Self.id(100))
        let batchPlanned = backfill.plan(Self.read(1...9, keys: ["a", "b", "b", "c"], unhandledEvery: 5))
        let batch = try #require(batchPlanned)
        #expect(batch.reaches == Self.id(9))
        for wave in batch.waves { #expect(Set(wave.map(\.key)).count == wave.count, "a wave's keys are distinct") }
        let flat = batch.waves.joined().map(\.payload)
        #expect(Set(flat) == ["e1", "e2", "e3", "e4", "e6", "e7", "e8", "e9"], "every handled entry once; e5 is not handled")
        var byKey: [String: [StreamID]] = [:]
        for entry in batch.waves.joined() { byKey[entry.key, default: []].append(entry.position) }
        for (key, positions) in byKey { #expect(positions == positions.sorted(), "key \(key) in log order") }
        #expect(batch.waves.count == 4, "b has four entries among 1…9 (2, 3, 6, 7): four waves")
    }

    @Test func progressMovesToTheBatchEndThenFinishesAtTheTarget() throws {
        var backfill = Backfill(target: Self.id(12))
        #expect(backfill.nextRead == .zero)
        let firstPlanned = backfill.plan(Self.read(1...10, keys: ["a", "b"]))
        let first = try #require(firstPlanned)
        let firstMoved = backfill.ended(first, unfinished: [])
        #expect(firstMoved == Self.id(10))
        #expect(backfill.nextRead == Self.id(10))
        // The next read runs past the target: the entries after it are the group's to deliver.
        let secondPlanned = backfill.plan(Self.read(11...20, keys: ["a"]))
        let second = try #require(secondPlanned)
        #expect(second.waves.joined().map(\.payload) == ["e11", "e12"])
        let secondMoved = backfill.ended(second, unfinished: [])
        #expect(secondMoved == Self.id(12))
        #expect(backfill.isFinished && backfill.nextRead == nil)
    }

    @Test func anEmptyReadOrOneAllPastTheTargetFinishes() {
        var empty = Backfill(target: Self.id(50), position: Self.id(40))
        let emptyPlanned = empty.plan([] as Read)
        #expect(emptyPlanned == nil)
        #expect(empty.isFinished)
        var past = Backfill(target: Self.id(50), position: Self.id(40))
        let pastPlanned = past.plan(Self.read(51...60, keys: ["a"]))
        #expect(pastPlanned == nil)
        #expect(past.isFinished)
        #expect(Backfill(target: Self.id(5), position: Self.id(5)).isFinished, "a record already at its target")
    }

    @Test func progressStopsBeforeTheEarliestUnfinishedEntry() throws {
        var backfill = Backfill(target: Self.id(100), position: Self.id(0))
        let batchPlanned = backfill.plan(Self.read(1...8, keys: ["a", "b", "c", "d"]))
        let batch = try #require(batchPlanned)
        // 6 was left pending; 7 and 8 (later waves, or not started) too.
        let batchMoved = backfill.ended(batch, unfinished: [Self.id(6), Self.id(7), Self.id(8)])
        #expect(batchMoved == Self.id(5))
        #expect(backfill.nextRead == Self.id(5), "a restart delivers 6 again, never skips it")
        #expect(!backfill.isFinished)
        // Nothing finished at all: the position does not move.
        var stuck = Backfill(target: Self.id(100), position: Self.id(0))
        let againPlanned = stuck.plan(Self.read(1...3, keys: ["a"]))
        let again = try #require(againPlanned)
        let againMoved = stuck.ended(again, unfinished: [Self.id(1), Self.id(2), Self.id(3)])
        #expect(againMoved == nil)
        #expect(stuck.nextRead == .zero)
    }

    @Test func entriesAtOrBelowTheRecordedPositionAreNotDeliveredAgain() throws {
        var backfill = Backfill(target: Self.id(100), position: Self.id(4))
        let batchPlanned = backfill.plan(Self.read(1...6, keys: ["a"]))
        let batch = try #require(batchPlanned)
        #expect(batch.waves.joined().map(\.payload) == ["e5", "e6"])
    }
}

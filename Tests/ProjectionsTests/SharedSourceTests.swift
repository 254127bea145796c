import EventLog
@testable import Projections
import Testing

/// One read for several appliers walking the same batches.
@Suite struct SharedSourceTests {
    /// Entries 1…n of partition 0, counting the reads that reach it.
    actor CountingSource: EventSource {
        let total: Int
        private(set) var reads = 0
        init(total: Int) { self.total = total }

        func entries(partition: Int, after: StreamID, count: Int) async throws -> [LogEntry] {
            reads += 1
            let first = Int(after.milliseconds) + 1
            guard first <= total else { return [] }
            return (first...min(total, first + count - 1)).map {
                .corrupt(position: Position(partition: partition, streamID: StreamID(milliseconds: UInt64($0), sequence: 0)), reason: "test")
            }
        }
    }

    static func walk(_ source: some EventSource, batch: Int) async throws -> [UInt64] {
        var seen: [UInt64] = [], after = StreamID.zero
        while true {
            let entries = try await source.entries(partition: 0, after: after, count: batch)
            seen += entries.compactMap { $0.position?.streamID.milliseconds }
            guard let last = entries.last?.position?.streamID else { return seen }
            after = last
        }
    }

    @Test func threeReadersReadEachBatchOnceAndSeeTheSameEntries() async throws {
        let base = CountingSource(total: 1000)
        let shared = SharedSource(base: base, readers: 3, window: 100)
        async let a = Self.walk(shared, batch: 100)
        async let b = Self.walk(shared, batch: 100)
        async let c = Self.walk(shared, batch: 100)
        let (first, second, third) = try await (a, b, c)
        #expect(first == Array(1...1000))
        #expect(second == first && third == first)
        #expect(await base.reads == 11, "ten batches and the empty read at the end, each read once")
    }

    @Test func aReaderLeftBehindReadsForItselfInsteadOfHoldingMemory() async throws {
        let base = CountingSource(total: 1000)
        let shared = SharedSource(base: base, readers: 2, window: 2)
        let ahead = try await Self.walk(shared, batch: 100)   // the other reader has taken nothing yet
        let behind = try await Self.walk(shared, batch: 100)
        #expect(ahead == behind)
        #expect(await base.reads > 11, "batches beyond the window were dropped and read again")
    }

    /// A source whose reads wait until the test opens them, failing when it says so.
    actor GatedSource: EventSource {
        struct Failed: Error {}
        private var gate: CheckedContinuation<Bool, Never>?
        private(set) var reads = 0

        func entries(partition: Int, after: StreamID, count: Int) async throws -> [LogEntry] {
            reads += 1
            guard await withCheckedContinuation({ gate = $0 }) else { throw Failed() }
            return [.corrupt(position: Position(partition: partition, streamID: StreamID(milliseconds: 1, sequence: 0)), reason: "test")]
        }

        var isReading: Bool { gate != nil }
        func open(failing: Bool = false) { gate?.resume(returning: !failing); gate = nil }
    }

    static func readersWaiting(_ shared: SharedSource, _ count: Int) async {
        while await shared.waitingReaders(partition: 0, after: .zero, count: 10) < count { await Task.yield() }
    }

    /// Result of an async throwing call, as a value (an `async let` of it can be awaited once
    /// and looked at twice).
    static func result(_ body: () async throws -> [LogEntry]) async -> Result<[LogEntry], any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    @Test func readersArrivingDuringAReadWaitForItsEntries() async throws {
        let base = GatedSource()
        let shared = SharedSource(base: base, readers: 3)
        async let first = shared.entries(partition: 0, after: .zero, count: 10)
        async let second = shared.entries(partition: 0, after: .zero, count: 10)
        async let third = shared.entries(partition: 0, after: .zero, count: 10)
        await Self.readersWaiting(shared, 2)
        await base.open()
        let all = try await [first, second, third]
        #expect(all.count == 3 && all.allSatisfy { $0.count == 1 && $0.first?.position == all[0].first?.position })
        #expect(await base.reads == 1)
    }

    @Test func aFailedReadFailsItsWaitersAndTheNextReaderReadsAgain() async throws {
        let base = GatedSource()
        let shared = SharedSource(base: base, readers: 3)
        async let first = Self.result { try await shared.entries(partition: 0, after: .zero, count: 10) }
        async let second = Self.result { try await shared.entries(partition: 0, after: .zero, count: 10) }
        await Self.readersWaiting(shared, 1)
        await base.open(failing: true)
        for result in await [first, second] {
            #expect(throws: GatedSource.Failed.self) { _ = try result.get() }
        }
        async let again = shared.entries(partition: 0, after: .zero, count: 10)
        while await !base.isReading { await Task.yield() }
        await base.open()
        let read = try await again
        #expect(read.count == 1)
        #expect(await base.reads == 2)
    }
}

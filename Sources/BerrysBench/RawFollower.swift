import EventLog
import Foundation
import Synchronization

/// The limit `berrys-bench stream` is compared with: this process reading every partition with
/// blocking XREADs, as directly as Redis allows, and timing each event from its `time`.
final class RawFollower: Sendable {
    let log: EventLog
    private let samples = Mutex<[Float]>([])
    private let measuring = Atomic<Bool>(false)

    init(log: EventLog) {
        self.log = log
    }

    func beginMeasuring() { measuring.store(true, ordering: .releasing) }

    /// Latencies in milliseconds so far.
    func latencies() -> [Float] { samples.withLock { $0 } }

    /// Follows every partition (one connection each) from its end until cancelled.
    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for partition in 0..<log.partitioner.partitions {
                group.addTask { try await self.follow(partition) }
            }
            try await group.waitForAll()
        }
    }

    private func follow(_ partition: Int) async throws {
        let connection = log.makeBlockingConnection(partition: partition)
        defer { Task { await connection.close() } }
        var after = try await log.lastStreamID(partition: partition)
        while !Task.isCancelled {
            let followed = try await log.followEntries(after: [partition: after], count: 1000, block: .milliseconds(200), on: connection)
            let now = SSELoad.nowMilliseconds()
            guard let entries = followed[partition]?.entries, let last = entries.last?.position?.streamID else { continue }
            after = last
            guard measuring.load(ordering: .acquiring) else { continue }
            let times = entries.compactMap { entry -> Float? in
                guard case .event(let event) = entry, let sent = SSELoad.milliseconds(rfc3339: Array(event.time.utf8)[...]) else { return nil }
                return Float(now - sent)
            }
            samples.withLock { $0 += times }
        }
    }
}

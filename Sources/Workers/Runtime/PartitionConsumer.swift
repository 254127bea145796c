import ClientSupport
import EventLog
import Foundation
import Logging
import RedisClient

/// Consumes one partition for one worker while this process holds the partition's lease:
/// claims what consumers that are gone left pending, reads new entries with XREADGROUP,
/// processes up to `concurrency` events at once keeping per-key order, acknowledges in batches,
/// and serves the worker's retry stream.
struct PartitionConsumer: Sendable {
    let keys: WorkerKeys
    let worker: any Worker
    let processor: DeliveryProcessor
    let settings: WorkerSettings
    let redis: RedisPool
    let registry: SchemaRegistry
    let consumer: String
    /// The consumer names of the processes running this worker now.
    let liveConsumers: @Sendable () async throws -> Set<String>
    let logger: Logger
    let stop: SignalFlag

    /// Raised to start over after an event was left pending outside a shutdown.
    struct Restart: Error, CustomStringConvertible {
        var description: String { "an event was left pending; starting over from the pending list" }
    }

    /// Consumes until stopped or cancelled; Redis failures restart it after a backoff.
    func run() async {
        var failures = 0
        while !stop.isRaised && !Task.isCancelled {
            let connection = redis.makeDedicatedConnection()
            do {
                try await consume(on: connection)
                await connection.close()
                return
            } catch {
                await connection.close()
                if stop.isRaised || Task.isCancelled { return }
                failures += 1
                let delay = Backoff(initial: 0.1, maximum: 5).delay(attempt: failures - 1)
                logger.warning("\(worker.name) partition \(keys.partition): \(error); starting over in \(String(format: "%.2f", delay)) s")
                try? await Task.sleep(for: .seconds(delay))
            }
        }
    }

    /// What the consumer loop waits for.
    private enum LoopEvent: Sendable {
        /// A chunk or batch of deliveries ended.
        case processed([DeliveryOutcome])
        /// New entries were read (and the acknowledgements sent with the read went out).
        case read(ReadBatch)
        /// The loop's timer: time to look at claims, retries and stopping again.
        case tick
    }

    private func consume(on connection: RedisConnection) async throws {
        try await connection.setReplyTimeout(Double(settings.blockMilliseconds) / 1000 + 10)
        try await ensureGroup(on: connection)
        try await withThrowingTaskGroup(of: LoopEvent.self) { group in
            var hand = InHand()
            var running = 0
            // A read runs on a task of its own while chunks are processed, so that the tasks
            // are not left idle for the round trip.
            var reading = false
            // Keys parked while a read was on its way: the read checked the parked keys before,
            // so its entries of those keys go behind them.
            var parkedWhileReading: Set<String> = []
            var tickPending = false
            var recovering = true
            var claimedOnce = false
            let never = ContinuousClock.now - .seconds(3600)
            var lastClaim = never, lastRetryRead = never
            var stoppingSince: ContinuousClock.Instant?
            while true {
                let now = ContinuousClock.now
                if stop.isRaised || Task.isCancelled {
                    // Stop reading; finish what is in hand (so nothing is left pending for the
                    // next lease holder to wait for), abandoning it only after the grace period.
                    stoppingSince = stoppingSince ?? now
                    let graceOver = now - stoppingSince! > .seconds(settings.shutdownGrace) || Task.isCancelled
                    if running == 0 && !reading && (hand.count == 0 || graceOver || !hand.hasReady) { break }
                    if graceOver { group.cancelAll() }
                } else if !reading {
                    if recovering || now - lastClaim > .seconds(settings.visibilityTimeout / 2) {
                        let (claimed, waiting) = try await claim(includeOwn: !claimedOnce)
                        claimed.forEach { hand.admit($0) }
                        claimedOnce = true
                        recovering = waiting > 0
                        lastClaim = now
                    }
                    if now - lastRetryRead > .seconds(1) {
                        try await readRetries(into: &hand)
                        lastRetryRead = now
                    }
                    if !recovering && hand.count < settings.batchSize {
                        let acks = hand.acks
                        hand.acks.removeAll(keepingCapacity: true)
                        let block = hand.count == 0 && running == 0
                        reading = true
                        group.addTask { .read(try await readNew(acking: acks, on: connection, block: block)) }
                    } else if hand.acks.count >= 100 || running == 0 {
                        try await flushAcks(&hand, on: connection)
                    }
                }
                if stoppingSince.map({ now - $0 <= .seconds(settings.shutdownGrace) }) ?? true && !Task.isCancelled {
                    let isBatchWorker = worker is any BatchWorker
                    while running < settings.concurrency && hand.hasReady {
                        // Share what is ready among the free task slots, in chunks or batches.
                        let share = (hand.readyCount + settings.concurrency - running - 1) / (settings.concurrency - running)
                        let deliveries = hand.takeReady(max: min(share, isBatchWorker ? DeliveryProcessor.maximumBatch : DeliveryProcessor.maximumChunk))
                        running += 1
                        group.addTask {
                            .processed(isBatchWorker ? await processor.run(batch: deliveries) : await processor.run(chunk: deliveries))
                        }
                    }
                }
                if running > 0 || reading {
                    if running > 0 && !tickPending {
                        tickPending = true
                        group.addTask {
                            try? await Task.sleep(for: .milliseconds(50))
                            return .tick
                        }
                    }
                    guard let event = try await group.next() else { continue }
                    switch event {
                    case .tick:
                        tickPending = false
                    case .read(let batch):
                        reading = false
                        hand.acks += batch.unhandled
                        for var delivery in batch.deliveries {
                            if parkedWhileReading.contains(delivery.key) { delivery.mode = .parkBehind }
                            hand.admit(delivery)
                        }
                        parkedWhileReading.removeAll()
                    case .processed(let outcomes):
                        running -= 1
                        if reading {
                            for case .parked(let delivery) in outcomes { parkedWhileReading.insert(delivery.key) }
                        }
                        try finish(outcomes, in: &hand, running: &running, group: &group)
                    }
                } else if recovering {
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            try? await flushAcks(&hand, on: connection)
        }
    }

    /// Takes what a chunk's deliveries came to; a first attempt that failed is run again on a
    /// task of its own.
    /// - Throws: `Restart` when an event was left pending outside a shutdown.
    private func finish(_ outcomes: [DeliveryOutcome], in hand: inout InHand, running: inout Int,
                        group: inout ThrowingTaskGroup<LoopEvent, any Error>) throws {
        for outcome in outcomes {
            if case .retryAlone(let delivery) = outcome {
                running += 1
                group.addTask { .processed([await processor.run(delivery)]) }
                continue
            }
            hand.finished(outcome)
            if case .abandoned = outcome, !stop.isRaised, !Task.isCancelled { throw Restart() }
        }
    }

    private func ensureGroup(on connection: RedisConnection) async throws {
        let reply = try await connection.sendReturningErrors(RedisCommand("XGROUP", "CREATE", keys.stream, keys.group, "0", "MKSTREAM"))
        if case .error(let message) = reply, !message.hasPrefix("BUSYGROUP") { throw RedisError(.server, message) }
    }

    private func flushAcks(_ hand: inout InHand, on connection: RedisConnection) async throws {
        guard !hand.acks.isEmpty else { return }
        try await connection.send(RedisCommand(["XACK", keys.stream, keys.group] + hand.acks))
        hand.acks.removeAll(keepingCapacity: true)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

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

    private func consume(on connection: RedisConnection) async throws {
        try await connection.setReplyTimeout(Double(settings.blockMilliseconds) / 1000 + 10)
        try await ensureGroup(on: connection)
        try await withThrowingTaskGroup(of: [DeliveryOutcome].self) { group in
            var hand = InHand()
            var running = 0
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
                    if running == 0 && (hand.count == 0 || graceOver || !hand.hasReady) { break }
                    if graceOver { group.cancelAll() }
                } else {
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
                        let block = hand.count == 0 && running == 0
                        try await readNew(into: &hand, on: connection, block: block)
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
                            isBatchWorker ? await processor.run(batch: deliveries) : await processor.run(chunk: deliveries)
                        }
                    }
                }
                if running > 0 {
                    if !tickPending {
                        tickPending = true
                        group.addTask {
                            try? await Task.sleep(for: .milliseconds(50))
                            return [.tick]
                        }
                    }
                    guard let outcomes = try await group.next() else { continue }
                    if case .tick? = outcomes.first { tickPending = false; continue }
                    running -= 1
                    for outcome in outcomes {
                        if case .retryAlone(let delivery) = outcome {
                            running += 1
                            group.addTask { [await processor.run(delivery)] }
                            continue
                        }
                        hand.finished(outcome)
                        if case .abandoned = outcome, !stop.isRaised, !Task.isCancelled { throw Restart() }
                    }
                } else if recovering {
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            try? await flushAcks(&hand, on: connection)
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

    /// Acknowledges what is done and reads new entries, in one round trip.
    private func readNew(into hand: inout InHand, on connection: RedisConnection, block: Bool) async throws {
        var commands: [RedisCommand] = []
        if !hand.acks.isEmpty { commands.append(RedisCommand(["XACK", keys.stream, keys.group] + hand.acks)) }
        commands.append(RedisCommand("EXISTS", keys.blockedKeys))
        var read = ["XREADGROUP", "GROUP", keys.group, consumer, "COUNT", String(settings.batchSize)]
        if block { read += ["BLOCK", String(settings.blockMilliseconds)] }
        commands.append(RedisCommand(read + ["STREAMS", keys.stream, ">"]).replying(as: .firstStreamEntries))
        let replies = try await connection.pipeline(commands)
        for reply in replies {
            if case .error(let message) = reply { throw RedisError(.server, message) }
        }
        hand.acks.removeAll(keepingCapacity: true)
        let entries = StreamReply.entries(replies[replies.count - 1])
        let anyBlocked = replies[replies.count - 2].int ?? 0 > 0
        var fresh: [Delivery] = []
        for entry in entries {
            if let type = entry.fields.first(where: { $0.0 == "type" })?.1, !worker.handledTypes.contains(type) {
                hand.acks.append(entry.id)
                continue
            }
            fresh.append(Delivery.decode(fields: entry.fields, streamID: entry.id, partition: keys.partition,
                                         origin: .stream, registry: registry, deliveryCount: 1))
        }
        if anyBlocked && !fresh.isEmpty {
            let blocked = try await blockedKeys(Set(fresh.map(\.key)), on: connection)
            for index in fresh.indices where blocked.contains(fresh[index].key) { fresh[index].mode = .parkBehind }
        }
        fresh.forEach { hand.admit($0) }
    }

    /// The keys among `candidates` that have a parked or retrying event.
    private func blockedKeys(_ candidates: Set<String>, on connection: RedisConnection) async throws -> Set<String> {
        let keyList = Array(candidates)
        var arguments = ["HMGET", keys.blockedKeys]
        for key in keyList { arguments += ["d:\(key)", "r:\(key)"] }
        let values = try await connection.send(RedisCommand(arguments)).array ?? []
        var blocked: Set<String> = []
        for (index, key) in keyList.enumerated() {
            let parked = values[safe: 2 * index]?.string.flatMap(Int.init) ?? 0
            let retrying = values[safe: 2 * index + 1]?.string.flatMap(Int.init) ?? 0
            if parked > 0 || retrying > 0 { blocked.insert(key) }
        }
        return blocked
    }

    /// Takes the worker's retry stream's entries not yet in hand.
    private func readRetries(into hand: inout InHand) async throws {
        let reply = try await redis.send(RedisCommand("XRANGE", keys.retries, "-", "+", "COUNT", String(settings.batchSize)).replying(as: .streamEntries))
        for entry in StreamReply.entries(reply) where !hand.holds(retryEntry: entry.id) {
            let source = entry.fields.first { $0.0 == "dlq_source_id" }?.1 ?? entry.id
            hand.admit(Delivery.decode(fields: entry.fields, streamID: source, partition: keys.partition,
                                       origin: .retry(entryID: entry.id), registry: registry, deliveryCount: 1))
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

import EventLog
import RedisClient

/// A group's catch-up is recorded, but this process has no tiered log to read it from.
struct CatchUpNeedsHistory: Error, CustomStringConvertible {
    let keys: WorkerKeys
    var description: String {
        "\(keys.worker) partition \(keys.partition) must first catch up from the archive (\(keys.backfill)), "
            + "but this process has no PostgreSQL (BERRYS_DATABASE_URL) to read it from"
    }
}

extension PartitionConsumer {
    /// Delivers the group's catch-up from the tiered log, if one is recorded (`Backfill`),
    /// before the group reads anything: batch by batch, each in waves of distinct keys, with the
    /// retries, dead letters and parking of any delivery; progress is recorded after each batch,
    /// fenced by the lease.
    /// - Returns: false when stopped before the end (the consumer stops too).
    /// - Throws: `Restart` when a delivery was left unfinished (the catch-up resumes from its
    ///   record); `LeaseNotHeld` when the lease is gone.
    func catchUp(on connection: RedisConnection) async throws -> Bool {
        let stored = try await connection.send(RedisCommand("HMGET", keys.backfill, "target", "position")).array ?? []
        guard let target = stored.first?.string.flatMap(StreamID.init) else { return true }
        guard let history else { throw CatchUpNeedsHistory(keys: keys) }
        var backfill = Backfill(target: target, position: stored[safe: 1]?.string.flatMap(StreamID.init) ?? .zero)
        logger.info("\(worker.name) partition \(keys.partition): catching up from the archive through \(target), after \(backfill.position)")
        var delivered = 0
        while let after = backfill.nextRead {
            if stop.isRaised || Task.isCancelled { return false }
            let read = try await history.entries(partition: keys.partition, after: after, count: settings.batchSize)
            guard let batch = backfill.plan(read.compactMap(backfillEntry)) else { break }
            let unfinished = try await deliver(batch, on: connection)
            if let position = backfill.ended(batch, unfinished: unfinished) {
                try await record(position, on: connection)
            }
            guard unfinished.isEmpty else {
                if stop.isRaised || Task.isCancelled { return false }
                throw Restart()
            }
            delivered += batch.waves.reduce(0) { $0 + $1.count }
        }
        try await record(nil, on: connection)
        logger.info("\(worker.name) partition \(keys.partition): caught up (\(delivered) events from the archive); reading the group")
        return true
    }

    /// A read entry's position, with the delivery to make of it (nil: a type the worker does not handle).
    private func backfillEntry(_ entry: LogEntry) -> (position: StreamID, entry: Backfill.Entry<Delivery>?)? {
        guard let position = entry.position?.streamID else { return nil }
        let fields: [(String, String)]
        switch entry {
        case .event(let event):
            guard worker.handledTypes.contains(event.type) else { return (position, nil) }
            fields = event.fields + (event.sequence.map { [("sequence", String($0))] } ?? [])
        case .corrupt:
            fields = []  // decodes as invalid, and is parked as such
        }
        let delivery = Delivery.received(fields: fields, streamID: position.description, partition: keys.partition, origin: .stream,
                                         registry: registry, deliveryCount: 1)
        return (position, Backfill.Entry(position: position, key: delivery.key, payload: delivery))
    }

    /// Runs a batch's waves in order; a key parked in one wave (or before) parks its later events behind it.
    /// - Returns: the positions left unfinished (an abandoned delivery, and every later wave's).
    private func deliver(_ batch: Backfill.Batch<Delivery>, on connection: RedisConnection) async throws -> Set<StreamID> {
        var blocked = try await blockedKeys(Set(batch.waves.joined().map(\.key)), on: connection)
        for (index, wave) in batch.waves.enumerated() {
            var deliveries = wave.map(\.payload)
            for slot in deliveries.indices where blocked.contains(deliveries[slot].key) { deliveries[slot].mode = .parkBehind }
            var unfinished: Set<StreamID> = []
            for outcome in await run(wave: deliveries) {
                switch outcome {
                case .parked(let delivery): blocked.insert(delivery.key)
                case .abandoned(let delivery), .retryAlone(let delivery): unfinished.insert(StreamID(delivery.streamID) ?? .zero)
                case .done: break
                }
            }
            if !unfinished.isEmpty {
                return unfinished.union(batch.waves[(index + 1)...].joined().map(\.position))
            }
        }
        return []
    }

    /// One wave (distinct keys) on up to `concurrency` tasks, in chunks or batches as the
    /// group's reads are; deliveries whose first attempt failed then run alone, with retries.
    private func run(wave deliveries: [Delivery]) async -> [DeliveryOutcome] {
        let isBatchWorker = worker is any BatchWorker
        let perTask = min(isBatchWorker ? DeliveryProcessor.maximumBatch : DeliveryProcessor.maximumChunk,
                          (deliveries.count + settings.concurrency - 1) / settings.concurrency)
        let chunks = stride(from: 0, to: deliveries.count, by: max(1, perTask)).map {
            Array(deliveries[$0..<min($0 + max(1, perTask), deliveries.count)])
        }
        var outcomes = await boundedMap(chunks) { chunk in
            isBatchWorker ? await processor.run(batch: chunk) : await processor.run(chunk: chunk)
        }.joined().map { $0 }
        let again = outcomes.compactMap { outcome -> Delivery? in
            if case .retryAlone(let delivery) = outcome { return delivery }
            return nil
        }
        guard !again.isEmpty else { return outcomes }
        outcomes.removeAll { if case .retryAlone = $0 { return true } else { return false } }
        return outcomes + (await boundedMap(again) { [await processor.run($0)] }).joined()
    }

    /// `transform` over `items`, at most `concurrency` at once; results in no particular order.
    private func boundedMap<Item: Sendable>(_ items: [Item], _ transform: @escaping @Sendable (Item) async -> [DeliveryOutcome]) async -> [[DeliveryOutcome]] {
        await withTaskGroup(of: [DeliveryOutcome].self) { group in
            var pending = items[...]
            for _ in 0..<settings.concurrency {
                guard let item = pending.popFirst() else { break }
                group.addTask { await transform(item) }
            }
            var results: [[DeliveryOutcome]] = []
            while let result = await group.next() {
                results.append(result)
                if let item = pending.popFirst() { group.addTask { await transform(item) } }
            }
            return results
        }
    }

    /// Records the catch-up's progress (nil: finished), fenced by the lease.
    private func record(_ position: StreamID?, on connection: RedisConnection) async throws {
        let reply = try await connection.sendReturningErrors(LeaseFunctions.recordBackfill(keys, consumer: consumer, position: position))
        if let refusal = LeaseNotHeld.from(reply) { throw refusal }
        if case .error(let message) = reply { throw RedisError(.server, message) }
    }
}

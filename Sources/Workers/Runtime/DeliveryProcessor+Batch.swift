import Dispatch
import EventLog

extension DeliveryProcessor {
    /// The most deliveries handed to one `BatchWorker` call.
    static let maximumBatch = 200

    /// True when `delivery` can go into a batch: a decoded event to process.
    func isBatchable(_ delivery: Delivery) -> Bool {
        guard worker is any BatchWorker, delivery.mode == .process, case .success = delivery.event else { return false }
        return true
    }

    /// The most deliveries one task processes one after the other for a plain `Worker`.
    static let maximumChunk = 32

    /// Runs deliveries of distinct keys one after the other in one task (saving a task per
    /// event); one whose first attempt fails comes back as `.retryAlone`.
    func run(chunk deliveries: [Delivery]) async -> [DeliveryOutcome] {
        var outcomes: [DeliveryOutcome] = []
        outcomes.reserveCapacity(deliveries.count)
        for delivery in deliveries {
            outcomes.append(await run(delivery, firstAttemptOnly: deliveries.count > 1))
        }
        return outcomes
    }

    /// Runs deliveries of distinct keys through one `handle(batch:)` call and one pipelined
    /// publish; what fails there comes back as `.retryAlone`.
    func run(batch deliveries: [Delivery]) async -> [DeliveryOutcome] {
        let batchable = deliveries.filter(isBatchable)
        var retryAlone = deliveries.filter { !isBatchable($0) }
        var outcomes: [DeliveryOutcome] = []
        guard batchable.count > 1, let batchWorker = worker as? any BatchWorker else {
            return await run(chunk: deliveries)
        }
        let deliveries = batchable
        let events = deliveries.compactMap { try? $0.event.get() }
        do {
            let started = DispatchTime.now()
            let context = WorkerContext(logger: logger, log: log, postgres: postgres, attempt: 1)
            let results = try await batchWorker.handle(batch: events, context: context)
            guard results.count == deliveries.count else {
                throw WorkerError.permanent("\(worker.name) returned \(results.count) results for a batch of \(deliveries.count)")
            }
            // Single unconditional events go into one pipelined batch; a delivery that emits a
            // set (several events, or conditions) is published as atomic sets (see `emit`).
            var prepared: [EventEnvelope] = []
            var owners: [Int] = []
            var succeeded: [Bool] = results.map { (try? $0.get()) != nil }
            for (index, result) in results.enumerated() {
                guard case .success(let drafts) = result, !drafts.isEmpty else { continue }
                do {
                    let envelopes = try prepareEmitted(drafts, causedBy: events[index])
                    if drafts.count == 1, drafts[0].expected == nil {
                        prepared += envelopes
                        owners.append(index)
                    } else {
                        try await publishEmitted(envelopes, drafts: drafts)
                    }
                } catch {
                    succeeded[index] = false
                }
            }
            for (owner, result) in zip(owners, try await log.appendBatch(prepared)) {
                if case .failure = result { succeeded[owner] = false }
            }
            metrics.handlerLatency.recordInterval(since: started)
            for (index, delivery) in deliveries.enumerated() {
                if succeeded[index] {
                    do {
                        try await finishRetried(delivery)
                        metrics.processed.increment()
                        outcomes.append(.done(delivery))
                    } catch {
                        retryAlone.append(delivery)
                    }
                } else {
                    retryAlone.append(delivery)
                }
            }
        } catch {
            logger.warning("\(worker.name): batch of \(deliveries.count) failed (\(error)); running them one by one")
            outcomes = []
            retryAlone += deliveries
        }
        for delivery in retryAlone { outcomes.append(.retryAlone(delivery)) }
        return outcomes
    }
}

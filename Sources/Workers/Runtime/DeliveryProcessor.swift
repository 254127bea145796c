import BerrysFoundation
import EventLog
import Foundation
import Instrumentation
import Logging
import PostgresClient
import RedisClient
import Tracing

/// Takes one delivery to its end: runs the handler with retries, publishes what it emits with
/// deterministic ids, and parks it (or parks it behind its key) when the policy says so.
struct DeliveryProcessor: Sendable {
    let worker: any Worker
    let keys: WorkerKeys
    let log: EventLog
    let redis: RedisPool
    let postgres: PostgresPool?
    let policy: DeliveryPolicy
    let consumer: String
    let logger: Logger
    let metrics: WorkerMetrics
    /// Whether a tracer is bootstrapped (read once: without one, a span per event changes
    /// nothing yet cost the no-op worker 0.7 to 2 µs of CPU per event).
    let isTracing = !(InstrumentationSystem.tracer is NoOpTracer)

    /// Processes `delivery` according to its mode; never throws (failures become outcomes).
    /// - Parameter firstAttemptOnly: after a failed first attempt, return `.retryAlone` instead
    ///   of retrying here (so that a chunk of other events is not held up by the backoff).
    func run(_ delivery: Delivery, firstAttemptOnly: Bool = false) async -> DeliveryOutcome {
        do {
            switch delivery.mode {
            case .parkBehind:
                if try await parkBehind(delivery) { return .parked(delivery) }
            case .parkCrashLoop:
                try await park(delivery, reason: .crashLoop, error: "delivered \(delivery.deliveryCount) times without finishing (consumers died)",
                               attempts: delivery.deliveryCount)
                return .parked(delivery)
            case .process:
                break
            }
            return try await process(delivery, firstAttemptOnly: firstAttemptOnly)
        } catch {
            // Only cancellation (shutdown, lost lease) or Redis down while parking gets here:
            // the entry stays pending and is delivered again.
            logger.warning("left \(delivery.streamID) pending: \(error)", metadata: ["worker": "\(worker.name)"])
            return .abandoned(delivery)
        }
    }

    private func process(_ delivery: Delivery, firstAttemptOnly: Bool) async throws -> DeliveryOutcome {
        if case .failure(let error) = delivery.event, !delivery.isUnknownToThisBuild {
            try await park(delivery, reason: .invalid, error: error.description, attempts: delivery.deliveryCount)
            return .parked(delivery)
        }
        var counted = delivery.deliveryCount
        var transientRetries = 0
        var firstFailedAt = delivery.firstFailedAt
        var random = SystemRandomNumberGenerator()
        if delivery.retryDelay > .zero { try await log.clock.sleep(for: delivery.retryDelay) }
        while true {
            try Task.checkCancellation()
            let context = WorkerContext(logger: logger, log: log, postgres: postgres, attempt: counted, worker: worker.name,
                                        streamID: delivery.streamID, event: try? delivery.event.get())
            let started = DispatchTime.now()
            do {
                // A type or schema version this build does not know counts as a permanent failure.
                let event = try delivery.event.get()
                func handleAndEmit() async throws {
                    let emitted = try await worker.handle(event, context: context)
                    try await emit(emitted, causedBy: event)
                }
                if isTracing { try await traced(event, handleAndEmit) } else { try await handleAndEmit() }
                metrics.handlerLatency.recordInterval(since: started)
                try await finishRetried(delivery)
                metrics.processed.increment()
                return .done(delivery)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                metrics.failed.increment()
                firstFailedAt = firstFailedAt ?? Timestamp.format(log.clock.date)
                let kind = FailureClassifier.kind(of: error)
                let attempt = kind == .transient ? transientRetries + 1 : counted
                let decision = policy.afterFailure(kind, attempt: attempt, retryAfter: FailureClassifier.retryAfter(of: error),
                                                   using: &random)
                if firstAttemptOnly, case .retry(let delay) = decision {
                    // Retry on its own task after the delay, so the rest of the chunk is not
                    // held up by the backoff; a permanent failure counts as one delivery.
                    var again = delivery
                    again.firstFailedAt = firstFailedAt
                    again.retryDelay = delay
                    if kind == .permanent { again.deliveryCount += 1 }
                    return .retryAlone(again)
                }
                switch decision {
                case .retry(let delay):
                    metrics.retried.increment()
                    context.logger.log(level: policy.logLevel(for: kind, attempt: attempt),
                                       "attempt failed (\(kind)), retrying in \(delay.secondsText): \(error)")
                    try await log.clock.sleep(for: delay)
                    if kind == .transient { transientRetries += 1 } else { counted += 1 }
                case .park(let reason):
                    context.logger.error("parked after \(counted) attempts: \(error)")
                    var failed = delivery
                    failed.firstFailedAt = firstFailedAt
                    try await park(failed, reason: reason, error: "\(error)", attempts: counted)
                    return .parked(delivery)
                case .process:
                    continue
                }
            }
        }
    }

    /// Publishes emitted drafts (see `prepareEmitted`): the events of each partition as one
    /// atomic set (`EventLog.appendAtomically`), each under its own condition, so that no other
    /// writer interleaves with a decision and no reader sees half of it; the partitions' sets
    /// in the order of their first event. A redelivery after a crash re-publishes the same
    /// ids: a set already appended whole answers as a duplicate.
    /// - Throws: `WorkerError.transient` when an expected sequence no longer holds: the worker's
    ///   view of the subject is behind, and a retry sees the newer events (which must be on
    ///   another partition key than the causing event, or the retry waits behind them).
    private func emit(_ drafts: [EventDraft], causedBy event: EventEnvelope) async throws {
        guard !drafts.isEmpty else { return }
        try await publishEmitted(try prepareEmitted(drafts, causedBy: event), drafts: drafts)
    }

    /// Appends prepared emitted events as one atomic set per partition (see `emit`).
    func publishEmitted(_ envelopes: [EventEnvelope], drafts: [EventDraft]) async throws {
        var sets: [(partition: Int, events: [(envelope: EventEnvelope, expected: ExpectedSequence)])] = []
        for (envelope, draft) in zip(envelopes, drafts) {
            let partition = log.partition(of: envelope)
            let event = (envelope, draft.expected ?? .any)
            if let at = sets.firstIndex(where: { $0.partition == partition }) { sets[at].events.append(event) } else { sets.append((partition, [event])) }
        }
        for set in sets {
            do {
                _ = try await log.appendAtomically(set.events)
            } catch let error as EventLogError where error.code == .conflict {
                let envelope = set.events[error.index ?? 0].envelope
                throw WorkerError.transient("emitted \(envelope.type) for \(envelope.subject) refused (\(error.message)); "
                    + "this worker has not yet seen the subject's latest events")
            } catch let error as EventLogError where error.code == .partialDuplicate {
                // Part of the set is in the log: written one event at a time by an older
                // version that stopped halfway. Finish it the way it was begun.
                logger.info("finishing a set of \(set.events.count) events begun one by one: \(error.message)", metadata: ["worker": "\(worker.name)"])
                for (envelope, expected) in set.events {
                    do {
                        _ = try await log.append(prepared: envelope, expected: expected)
                    } catch let error as EventLogError where error.code == .conflict {
                        throw WorkerError.transient("emitted \(envelope.type) for \(envelope.subject) refused (\(error.message))")
                    }
                }
            }
        }
    }

    /// Emitted drafts made complete: ids derived from the causing event (so a redelivery
    /// re-publishes the same ids and the log drops them as duplicates), causation and
    /// correlation ids, the worker as source; then validated.
    /// - Throws: `WorkerError.permanent` naming an invalid emitted event.
    func prepareEmitted(_ drafts: [EventDraft], causedBy event: EventEnvelope) throws -> [EventEnvelope] {
        try drafts.enumerated().map { index, draft in
            var draft = draft
            draft.id = draft.id ?? DeterministicID.emittedEventID(worker: worker.name, causingEventID: event.id, index: index)
            draft.causationID = event.id
            draft.correlationID = draft.correlationID ?? event.correlationID ?? event.id
            draft.source = draft.source ?? "berrys/worker/\(worker.name)"
            trace(&draft, causedBy: event)
            do {
                return try log.prepare(draft)
            } catch let error as EventLogError {
                throw WorkerError.permanent("emitted \(draft.type) #\(index) is invalid: \(error)")
            }
        }
    }
}

import EventLog
import RedisClient

extension DeliveryProcessor {
    /// Moves a delivery to the DLQ with its reason (and the retry stream's later events of its key behind it).
    func park(_ delivery: Delivery, reason: ParkReason, error: String, attempts: Int) async throws {
        let now = Timestamp.format(log.clock.date)
        let bookkeeping = [
            ("dlq_reason", reason.rawValue), ("dlq_error", error), ("dlq_worker", worker.name),
            ("dlq_attempts", String(attempts)), ("dlq_first_failed_at", delivery.firstFailedAt ?? now),
            ("dlq_last_failed_at", now), ("dlq_source_id", delivery.streamID), ("dlq_consumer", consumer),
        ]
        _ = try await callPark(delivery, mode: "head", fields: delivery.fields + bookkeeping)
        metrics.deadLettered.increment()
    }

    /// Parks a delivery behind the parked (or retrying) event of its key.
    /// - Returns: false when its key is free again by now, so it must be processed instead.
    func parkBehind(_ delivery: Delivery) async throws -> Bool {
        let now = Timestamp.format(log.clock.date)
        let bookkeeping = [
            ("dlq_reason", ParkReason.behindParkedKey.rawValue),
            ("dlq_error", "waits behind an earlier parked event of partition key \(delivery.key)"),
            ("dlq_worker", worker.name), ("dlq_attempts", "0"), ("dlq_first_failed_at", delivery.firstFailedAt ?? now),
            ("dlq_last_failed_at", now), ("dlq_source_id", delivery.streamID), ("dlq_consumer", consumer),
        ]
        let destination = try await callPark(delivery, mode: "behind", fields: delivery.fields + bookkeeping)
        if destination == "dlq" { metrics.deadLettered.increment() }
        return destination != "free"
    }

    private func callPark(_ delivery: Delivery, mode: String, fields: [(String, String)]) async throws -> String {
        let entryID: String
        let origin: String
        switch delivery.origin {
        case .stream: (origin, entryID) = ("main", delivery.streamID)
        case .retry(let id): (origin, entryID) = ("retry", id)
        }
        var arguments = ["FCALL", "berrys_dlq_park", "4", keys.stream, keys.deadLetters, keys.retries, keys.blockedKeys,
                         keys.group, origin, entryID, delivery.parkedKey, mode]
        for (name, value) in fields + [("dlq_key", delivery.parkedKey)] {
            arguments.append(name)
            arguments.append(value)
        }
        let reply = try await redis.send(RedisCommand(arguments))
        return reply.array?.first?.string ?? "free"
    }

    /// A retried event was processed: removes it from the retry stream and counts its key down.
    func finishRetried(_ delivery: Delivery) async throws {
        guard case .retry(let entryID) = delivery.origin else { return }
        try await redis.send(RedisCommand("FCALL", "berrys_dlq_done", "2", keys.retries, keys.blockedKeys, entryID, delivery.parkedKey))
    }
}

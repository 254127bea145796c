import BerrysFoundation
import EventLog
import RedisClient

extension EventHub {
    /// Reads `partitions` from `start` on a connection of its own until cancelled; a failed
    /// read is tried again after a backoff, from where it was.
    func follow(_ partitions: [Int], from start: [StreamID]) async {
        var after = Dictionary(uniqueKeysWithValues: partitions.map { ($0, start[$0]) })
        let connection = redis.makeDedicatedConnection(routedBy: log.configuration.streamKey(partition: partitions[0]))
        let retry = RetryLoop(backoff: .reconnect, budget: .unlimited, clock: log.clock)
        while !Task.isCancelled {
            try? await retry.run(isRetryable: { _ in !Task.isCancelled }, onRetry: { error, delay in
                logger.warning("live stream read of partitions \(partitions) failed (\(error)); again in \(delay.secondsText)")
            }) {
                let followed = try await log.followEntries(after: after, count: settings.readCount,
                                                           block: settings.block, on: connection)
                for partition in partitions {
                    guard let part = followed[partition], let from = after[partition] else { continue }
                    var entries = part.entries
                    if from.successor < part.watermark {
                        // Trimmed past what the hub read (it fell that far behind): the gap comes
                        // from the tiered log, which reads the archive below the trimmed point.
                        entries = try await history.entries(partition: partition, after: from, count: settings.readCount)
                    }
                    guard let last = entries.last?.position?.streamID else { continue }
                    // Nobody to tell: only the hub's position moves (no decoding, no rendering).
                    if !passOverWithoutSubscribers(partition: partition, through: last) { fanOut(render(entries)) }
                    after[partition] = last
                }
            }
        }
        await connection.close()
    }

    /// Events decoded, upcast (as stored when this build cannot upcast them) and rendered.
    /// Entries that are not valid events are passed over.
    func render(_ entries: [LogEntry]) -> [(event: EventEnvelope, position: Position, body: String)] {
        entries.compactMap { entry in
            guard case .event(let stored) = entry, let position = stored.position else { return nil }
            let event = (try? log.registry.upcast(stored)) ?? stored
            return (event, position, ServerSentEvents.body(of: event, position: position))
        }
    }
}

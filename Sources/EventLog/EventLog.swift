import BerrysJSON
import BerrysFoundation
import Foundation
import Logging
import RedisClient

/// The event log on Redis Streams: validated, idempotent, optimistically concurrent appends
/// (one event through `berrys_append`, batches in a transaction per partition with the same
/// rules), and reads by partition, upcast on the way out.
public struct EventLog: Sendable {
    public let configuration: EventLogConfiguration
    public let registry: SchemaRegistry
    public let conventions: any EventConventions
    /// The partition count of this log (from its metadata).
    public let partitioner: Partitioner
    /// The `source` of events whose draft has none.
    public let defaultSource: String
    /// The Redis pool the log uses (its leases and functions go through it too).
    public let redis: RedisPool
    /// The clock of everything that waits or expires around this log (retries, leases, due
    /// times, the services built on it): `.system` in production, a manual clock in tests.
    public let clock: BerrysClock
    let logger: Logger

    /// Opens a log: loads or upgrades the append function and reads (or creates) the metadata.
    /// - Parameters:
    ///   - create: create the metadata when the log does not exist yet (as `berrys init` does).
    /// - Throws: `EventLogError.unavailable` when Redis cannot be reached in time.
    public static func open(redis: RedisPool, configuration: EventLogConfiguration, registry: SchemaRegistry,
                            conventions: any EventConventions = NoConventions(), defaultSource: String = "berrys",
                            create: Bool = true, clock: BerrysClock = .system,
                            logger: Logger = Logger(label: "berrys.eventlog")) async throws -> EventLog {
        let retry = RetryLoop(timeout: configuration.unavailableRetry, clock: clock)
        let partitions = try await Self.unavailableAsError(redis) {
            try await retry.run(isRetryable: { ($0 as? RedisError)?.isTransient == true },
                                onRetry: { error, delay in logger.warning("Redis not reachable, retrying in \(delay.secondsText): \(error)") }) {
                try await LogSetup(redis: redis, configuration: configuration).prepare(create: create)
            }
        }
        return EventLog(configuration: configuration, registry: registry, conventions: conventions,
                        partitioner: Partitioner(partitions: partitions), defaultSource: defaultSource, redis: redis, clock: clock, logger: logger)
    }

    /// Fills in a draft's defaults and checks it completely: envelope, conventions, schema, size.
    /// - Throws: `EventLogError` naming the attribute or payload field and the rule.
    public func prepare(_ draft: EventDraft) throws -> EventEnvelope {
        guard let version = draft.dataVersion ?? registry.newestVersion(of: draft.type) else {
            throw EventLogError(.unknownType, field: "type", "unknown event type '\(draft.type)' (see berrys schemas list)")
        }
        try registry.validate(type: draft.type, version: version, data: draft.data)
        _ = try EventTrace.context(in: draft.extensions)
        let (_, newestData) = try registry.upcast(type: draft.type, version: version, data: draft.data)
        let subject = try conventionalValue(given: draft.subject, expected: conventions.subject(type: draft.type, data: newestData),
                                            attribute: "subject", type: draft.type)
        guard let subject else {
            throw EventLogError(.invalidEnvelope, field: "subject", "subject is required for \(draft.type)")
        }
        var partitionKey = try conventionalValue(given: draft.partitionKey, expected: conventions.partitionKey(type: draft.type, data: newestData),
                                                 attribute: "partitionkey", type: draft.type)
        if partitionKey == subject { partitionKey = nil }
        let envelope = EventEnvelope(
            id: draft.id ?? RandomUUID.make(), source: draft.source ?? defaultSource, type: draft.type,
            dataVersion: version, subject: subject, time: draft.time ?? Timestamp.format(draft.deliverAt ?? clock.date), data: draft.data,
            partitionKey: partitionKey, correlationID: draft.correlationID, causationID: draft.causationID,
            extensions: draft.extensions)
        try EnvelopeRules.check(envelope, maximumPayloadBytes: configuration.maximumPayloadBytes)
        return envelope
    }

    private func conventionalValue(given: String?, expected: String?, attribute: String, type: String) throws -> String? {
        guard let expected else { return given }
        if let given, given != expected {
            throw EventLogError(.invalidEnvelope, field: attribute,
                                "\(attribute) of \(type) must be '\(expected)' (the domain's convention), got '\(given)'")
        }
        return expected
    }

    /// The partition an event belongs to.
    public func partition(of envelope: EventEnvelope) -> Int {
        partitioner.partition(for: envelope.effectivePartitionKey)
    }

    /// Converts Redis connection failures that outlasted the retries into `.unavailable`.
    static func unavailableAsError<T: Sendable>(_ redis: RedisPool, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RedisError where error.isTransient {
            throw EventLogError(.unavailable, "Redis at \(redis.configuration.host):\(redis.configuration.port) is unreachable: \(error.message)")
        }
    }
}

/// RFC 3339 timestamps in UTC with milliseconds.
public enum Timestamp {
    /// Now, e.g. `2026-11-25T13:45:00.123Z`.
    public static func now() -> String { format(Date()) }

    /// Reads an RFC 3339 timestamp (`2026-12-05T18:00:00Z`, fractional seconds and offsets
    /// allowed); nil when it is not one.
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// Formats a date.
    public static func format(_ date: Date) -> String {
        // Rounded to the millisecond, so that a time read back from its own text (`parse`)
        // formats the same: 0.123 s is 0.12299… in binary, which truncation made .122.
        let totalMilliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        var seconds = time_t((totalMilliseconds / 1000).rounded(.down))
        let milliseconds = Int(totalMilliseconds - Double(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text = ""
        text.reserveCapacity(24)
        func append(_ value: Int, digits: Int) {
            let string = String(value)
            text += String(repeating: "0", count: max(0, digits - string.count)) + string
        }
        append(Int(parts.tm_year) + 1900, digits: 4); text += "-"
        append(Int(parts.tm_mon) + 1, digits: 2); text += "-"
        append(Int(parts.tm_mday), digits: 2); text += "T"
        append(Int(parts.tm_hour), digits: 2); text += ":"
        append(Int(parts.tm_min), digits: 2); text += ":"
        append(Int(parts.tm_sec), digits: 2); text += "."
        append(milliseconds, digits: 3); text += "Z"
        return text
    }
}

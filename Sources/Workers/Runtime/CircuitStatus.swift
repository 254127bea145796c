import Foundation
import RedisClient

/// A circuit breaker's state as it travels: in `<ns>:circuit:<worker>`, `berrys status`,
/// `/v1/workers` and the metrics.
public enum CircuitState: String, Sendable, Hashable {
    case closed
    case open
    case halfOpen = "half_open"
}

/// A worker's circuit breaker (a connector's endpoint) as one process last reported it, for
/// `berrys status` and `/v1/workers`. Kept in the hash `<ns>:circuit:<worker>`, one field per
/// consumer: `<state> <consecutive failures> <open until, unix ms, or -> <updated, unix ms>`.
public struct CircuitStatus: Sendable, Hashable {
    public let consumer: String
    public let state: CircuitState
    public let consecutiveFailures: Int
    /// While open: when the probe may go (unix seconds).
    public let openUntil: Double?
    /// When the process reported it (unix seconds).
    public let updatedAt: Double

    public init(consumer: String, state: CircuitState, consecutiveFailures: Int, openUntil: Double?, updatedAt: Double) {
        self.consumer = consumer
        self.state = state
        self.consecutiveFailures = consecutiveFailures
        self.openUntil = openUntil
        self.updatedAt = updatedAt
    }

    /// The hash of a worker's breakers.
    public static func key(namespace: String, worker: String) -> String { "\(namespace):circuit:\(worker)" }

    /// The hash field's value.
    public var encoded: String {
        "\(state.rawValue) \(consecutiveFailures) \(openUntil.map { String(Int64($0 * 1000)) } ?? "-") \(Int64(updatedAt * 1000))"
    }

    /// Reads a hash field back; nil when it is not one.
    public init?(consumer: String, encoded: String) {
        let parts = encoded.split(separator: " ").map(String.init)
        guard parts.count == 4, let state = CircuitState(rawValue: parts[0]), let failures = Int(parts[1]),
              let updated = Double(parts[3]) else { return nil }
        self.init(consumer: consumer, state: state, consecutiveFailures: failures,
                  openUntil: Double(parts[2]).map { $0 / 1000 }, updatedAt: updated / 1000)
    }

    /// Writes this report (best effort: the caller goes on either way).
    public func write(namespace: String, worker: String, redis: RedisPool) async throws {
        try await redis.send(RedisCommand("HSET", Self.key(namespace: namespace, worker: worker), consumer, encoded))
    }
}

extension WorkerStatusReader {
    /// The breakers of `worker` reported by its live processes, by consumer name.
    public func circuits(worker: String) async throws -> [CircuitStatus] {
        let now = redis.clock.unixMilliseconds
        // Two keys, maybe two slots of a cluster: two requests.
        let reports = try await redis.send(RedisCommand("HGETALL", CircuitStatus.key(namespace: namespace, worker: worker)))
        guard let fields = reports.array?.compactMap(\.string), !fields.isEmpty else { return [] }
        let members = try await redis.send(RedisCommand("ZRANGEBYSCORE", WorkerKeys.members(namespace: namespace, worker: worker),
                                                        String(now), "+inf"))
        let live = Set((members.array ?? []).compactMap(\.string))
        return stride(from: 0, to: fields.count - 1, by: 2).compactMap { index in
            guard live.contains(fields[index]) else { return nil }
            return CircuitStatus(consumer: fields[index], encoded: fields[index + 1])
        }.sorted { $0.consumer < $1.consumer }
    }
}

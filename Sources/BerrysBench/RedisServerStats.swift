import CommandSupport
import RedisClient

/// What Redis itself reports, for benchmarks: CPU time (total and per command) and key memory.
enum RedisServerStats {
    /// Calls and microseconds spent so far in one command (`INFO commandstats`).
    static func commandTime(_ command: String, redis: RedisPool) async throws -> (calls: Double, microseconds: Double) {
        commandTime(command, in: try await redis.send("INFO", "commandstats").string ?? "")
    }

    /// Calls and microseconds of one command in the text of `INFO commandstats`.
    static func commandTime(_ command: String, in info: String) -> (calls: Double, microseconds: Double) {
        let prefix = "cmdstat_\(command.lowercased()):"
        guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix(prefix) }) else { return (0, 0) }
        var calls = 0.0, microseconds = 0.0
        for pair in line.dropFirst(prefix.count).split(separator: ",") {
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let value = Double(parts[1]) else { continue }
            if parts[0] == "calls" { calls = value }
            if parts[0] == "usec" { microseconds = value }
        }
        return (calls, microseconds)
    }

    /// User plus system CPU seconds of the server so far (`INFO cpu`).
    static func cpuSeconds(redis: RedisPool) async throws -> Double {
        cpuSeconds(in: try await redis.send("INFO", "cpu").string ?? "")
    }

    /// User plus system CPU seconds in the text of `INFO cpu`.
    static func cpuSeconds(in info: String) -> Double {
        var total = 0.0
        for line in info.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":")
            guard parts.count == 2, parts[0] == "used_cpu_user" || parts[0] == "used_cpu_sys", let value = Double(parts[1]) else { continue }
            total += value
        }
        return total
    }

    /// Server microseconds spent in `command` per event while `body` appends `events` events
    /// (for calls that each carry many).
    static func microsecondsPerEvent<T>(_ commands: [String], events: Int, redis: RedisPool, during body: () async throws -> T) async throws -> (T, Double) {
        var before = 0.0, after = 0.0
        for command in commands { before += try await commandTime(command, redis: redis).microseconds }
        let result = try await body()
        for command in commands { after += try await commandTime(command, redis: redis).microseconds }
        return (result, events > 0 ? (after - before) / Double(events) : 0)
    }

    /// Server CPU microseconds (`INFO cpu`: user + system, so with reading, parsing and
    /// replying) per event while `body` appends `events` events.
    static func cpuMicrosecondsPerEvent<T>(events: Int, redis: RedisPool, during body: () async throws -> T) async throws -> (T, Double) {
        let before = try await cpuSeconds(redis: redis)
        let result = try await body()
        let after = try await cpuSeconds(redis: redis)
        return (result, events > 0 ? (after - before) * 1e6 / Double(events) : 0)
    }

    /// The same for one command.
    static func microsecondsPerEvent<T>(_ command: String, events: Int, redis: RedisPool, during body: () async throws -> T) async throws -> (T, Double) {
        try await microsecondsPerEvent([command], events: events, redis: redis, during: body)
    }

    /// The average `MEMORY USAGE` of up to `sample` keys matching `pattern`.
    static func averageKeyBytes(pattern: String, sample: Int, redis: RedisPool) async throws -> Double {
        let keys = try await redis.scanKeys(matching: pattern)
        guard !keys.isEmpty else { return 0 }
        let sizes = try await redis.pipeline(keys.prefix(sample).map { RedisCommand("MEMORY", "USAGE", $0, "SAMPLES", "0") })
        let total = sizes.compactMap(\.int).reduce(0, +)
        return Double(total) / Double(min(sample, keys.count))
    }
}

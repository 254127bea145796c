import EventLog
import Foundation
import PostgresClient
import RedisClient

/// One minute (or `--sample-seconds`) of a soak: how many events the log holds, each process's
/// resident memory, and what Redis and PostgreSQL hold.
struct SoakSample: Sendable {
    var minutes: Double
    var events: Int
    /// Resident bytes per process, by its role (`run`, `worker`, `project`).
    var resident: [String: Double]
    /// Redis `used_memory`.
    var redisBytes: Double
    /// `pg_database_size` of the soak's database.
    var postgresBytes: Double
}

/// Reads a `SoakSample` from /proc, Redis and PostgreSQL.
struct SoakSampler: Sendable {
    let redis: RedisPool
    let postgres: PostgresPool
    let keys: LogKeys
    let partitions: Int

    func sample(at minutes: Double, processes: [FaultWorld.StartedProcess]) async throws -> SoakSample {
        var events = 0
        for partition in 0..<partitions {
            events += Int(try await redis.send("XLEN", keys.stream(partition: partition)).int ?? 0)
        }
        var resident: [String: Double] = [:]
        for entry in processes {
            if let bytes = Self.residentBytes(of: entry.process.pid) { resident[entry.role.rawValue, default: 0] += bytes }
        }
        let info = try await redis.send("INFO", "memory").string ?? ""
        let used = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("used_memory:") }
            .flatMap { Double($0.dropFirst("used_memory:".count)) } ?? 0
        let size = try await postgres.query("SELECT pg_database_size(current_database())").scalar.flatMap(Double.init) ?? 0
        return SoakSample(minutes: minutes, events: events, resident: resident, redisBytes: used, postgresBytes: size)
    }

    /// `VmRSS` of a process, from /proc/PID/status; nil when it is gone.
    static func residentBytes(of pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Double($0) })
        else { return nil }
        return kilobytes * 1024
    }
}

import Glibc
import RedisClient

/// CPU time spent by this process and by the Redis server while a benchmark step runs, so that
/// steps can be compared by cost per event rather than only by a wall-clock rate that other
/// load on the machine moves.
struct CPUMeter {
    let redis: RedisPool
    private var processStart = 0.0
    private var redisStart = 0.0

    init(redis: RedisPool) {
        self.redis = redis
    }

    /// Starts counting from now.
    mutating func start() async throws {
        processStart = Self.processSeconds()
        redisStart = try await Self.redisSeconds(redis)
    }

    /// Microseconds of CPU per item since `start`, of this process and of Redis.
    func microsecondsPerItem(_ items: Int) async throws -> (process: Double, redis: Double) {
        let process = Self.processSeconds() - processStart
        let server = try await Self.redisSeconds(redis) - redisStart
        let count = Double(max(1, items))
        return (process * 1e6 / count, server * 1e6 / count)
    }

    /// User plus system CPU seconds of this process so far.
    static func processSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// User plus system CPU seconds of the Redis server so far (`INFO cpu`).
    static func redisSeconds(_ redis: RedisPool) async throws -> Double {
        let info = try await redis.send("INFO", "cpu").string ?? ""
        var total = 0.0
        for line in info.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":")
            guard parts.count == 2, parts[0] == "used_cpu_user" || parts[0] == "used_cpu_sys", let value = Double(parts[1]) else { continue }
            total += value
        }
        return total
    }
}

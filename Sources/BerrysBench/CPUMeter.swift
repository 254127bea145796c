import CommandSupport
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
        redisStart = try await RedisServerStats.cpuSeconds(redis: redis)
    }

    /// Microseconds of CPU per item since `start`, of this process and of Redis.
    func microsecondsPerItem(_ items: Int) async throws -> (process: Double, redis: Double) {
        let process = Self.processSeconds() - processStart
        let server = try await RedisServerStats.cpuSeconds(redis: redis) - redisStart
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
}

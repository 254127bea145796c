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

/// CPU of this process, the local PostgreSQL and Redis over one benchmark step, per event:
/// where a rebuild's time goes on a machine whose cores the three share.
struct StepCPU {
    let redis: RedisPool
    private var start = (process: 0.0, postgres: 0.0, redis: 0.0)

    init(redis: RedisPool) {
        self.redis = redis
    }

    /// Starts counting from now.
    mutating func start() async throws {
        start = (CPUMeter.processSeconds(), LocalServerCPU.seconds(program: "postgres") ?? 0,
                 try await RedisServerStats.cpuSeconds(redis: redis))
    }

    /// "berrys X µs + PostgreSQL Y µs + Redis Z µs" per event since `start` (PostgreSQL as "?"
    /// when its processes are not visible here).
    func perEvent(_ events: Int) async throws -> String {
        let count = Double(max(1, events))
        let process = (CPUMeter.processSeconds() - start.process) * 1e6 / count
        let postgres = LocalServerCPU.seconds(program: "postgres").map { ($0 - start.postgres) * 1e6 / count }
        let server = (try await RedisServerStats.cpuSeconds(redis: redis) - start.redis) * 1e6 / count
        return String(format: "berrys %.1f µs + PostgreSQL %@ µs + Redis %.1f µs", process,
                      postgres.map { String(format: "%.1f", $0) } ?? "?", server)
    }
}

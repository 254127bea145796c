import BerrysJSON
import Hummingbird
import PostgresClient
import RedisClient

/// The answer of a readiness endpoint: each named check passes or says what is wrong; the
/// process is ready only when all pass (200), otherwise 503 naming the failed checks.
public struct ReadinessReport: Sendable {
    /// A check: `nil` when it passes, otherwise the problem; a thrown error counts as the problem.
    public typealias Check = @Sendable () async throws -> String?

    private var checks: [String: JSON] = [:]
    /// Whether every check run so far passed.
    public private(set) var ready = true

    public init() {}

    /// Runs `body` and records its outcome under `name`.
    public mutating func check(_ name: String, _ body: Check) async {
        do {
            if let problem = try await body() {
                record(name, problem: problem)
            } else {
                checks[name] = .object(["ok": .bool(true)])
            }
        } catch {
            record(name, problem: "\(error)")
        }
    }

    private mutating func record(_ name: String, problem: String) {
        ready = false
        checks[name] = .object(["ok": .bool(false), "error": .string(problem)])
    }

    /// `{"status": "ready"|"not_ready", "checks": {name: {ok, error?}}}` with 200 or 503.
    public var response: Response {
        let body = JSON.object(["status": .string(ready ? "ready" : "not_ready"), "checks": .object(checks)]).serialized
        return JSONResponse.make(body, status: ready ? .ok : .serviceUnavailable)
    }
}

extension ReadinessReport {
    /// Redis answers PING.
    public static func redisCheck(_ redis: RedisPool) -> Check {
        { try await redis.withConnection { try await $0.send(RedisCommand("PING")) }.string == "PONG" ? nil : "no PONG" }
    }

    /// PostgreSQL answers SELECT 1.
    public static func postgresCheck(_ postgres: PostgresPool) -> Check {
        { try await postgres.query("SELECT 1").scalar == "1" ? nil : "SELECT 1 failed" }
    }
}

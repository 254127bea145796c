import BerrysFoundation
import CommandSupport
import EventLog
import Foundation
import PostgresClient
import RedisClient
#if canImport(Glibc)
import Glibc
#endif

/// Makes a scenario's faults under load and times the recovery from each: the seconds from
/// the end of the fault until every consumer group and projection has handled everything the
/// log held when the fault began.
struct FaultInjector: Sendable {
    let world: FaultWorld
    let probe: FaultProbe
    let redis: RedisPool
    let servers: FaultServers
    let load: FaultLoad
    let expectedGroups: Int
    let projections: Int
    let disk: FaultDisk?

    /// Longest wait for a recovery before it counts as a finding.
    static let recoveryLimit = 90.0

    func inject(_ scenario: FaultScenario, count: Int, random: inout SplitMix, _ outcome: inout FaultRunner.Outcome) async throws {
        switch scenario {
        case .killRun: try await kill(.run, count: count, random: &random, &outcome)
        case .killWorker: try await kill(.worker, count: count, random: &random, &outcome)
        case .killProject: try await kill(.project, count: count, random: &random, &outcome)
        case .killReplay: try await Task.sleep(for: .seconds(3))  // its faults come in the rebuild
        case .sigterm: try await terminate(count: count, random: &random, &outcome)
        case .redisRestart: try await repeated(count, random: &random, &outcome) { try await servers.control("crash-redis") }
        case .redisClientKill:
            try await repeated(count, random: &random, &outcome) { _ = try await redis.send("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes") }
        case .redisStall: try await repeated(count, random: &random, &outcome) { try await stallRedis(seconds: 3) }
        case .redisOOM: try await repeated(count, random: &random, &outcome) { try await fillRedis(seconds: 3) }
        case .postgresRestart: try await repeated(count, random: &random, &outcome) { try await servers.control("crash-postgres") }
        case .postgresTerminate: try await repeated(count, random: &random, &outcome) { try await terminateSessions() }
        case .postgresTimeoutStorm: try await repeated(count, random: &random, &outcome) { try await timeoutStorm(seconds: 3) }
        case .diskFull:
            guard let disk else { throw FaultRunError("disk-full needs its tmpfs") }
            try await repeated(count, random: &random, &outcome) { try await disk.fillAndGrow(world: world) }
        }
    }

    /// kill -9 of `role`, restarted at once. Even kills come 0–1.5 s after its start (start-up,
    /// lease takeover, the first batches); odd ones 2.5–5 s after it, under steady load, and
    /// their recovery is timed.
    private func kill(_ role: FaultWorld.Role, count: Int, random: inout SplitMix, _ outcome: inout FaultRunner.Outcome) async throws {
        guard var current = await world.running.first(where: { $0.role == role }) else { throw FaultRunError("no \(role) process to kill") }
        var startedAt = Date()
        for index in 0..<count {
            let steady = index % 2 == 1
            let delay = steady ? random.uniform(2.5, 5) : random.uniform(0, 1.5)
            let wait = delay - Date().timeIntervalSince(startedAt)
            if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
            let heads = try await probe.heads()
            if let status = current.process.exited() {
                outcome.findings.append("berrys \(role.rawValue) had ended by itself with status \(status) before kill \(index + 1)")
            }
            _ = await world.stop(current, signal: SIGKILL)
            let killedAt = Date()
            current = try await world.start(role)
            startedAt = Date()
            outcome.faults += 1
            if steady { try await recover(from: heads, since: killedAt, &outcome) }
        }
    }

    /// SIGTERM 0.05–3 s after the target's start (its set-up takes 0.1–0.5 s; before `main`, in
    /// the first milliseconds after exec, any process has the default action): it must exit 0
    /// within 30 s and hold no lease afterwards. Restarted each time.
    private func terminate(count: Int, random: inout SplitMix, _ outcome: inout FaultRunner.Outcome) async throws {
        for index in 0..<count {
            // Every other stop aims at the process started last (the one restarted after the
            // previous stop), so that half of them come during start-up.
            let running = await world.running.sorted { $0.startedAt < $1.startedAt }
            let target = index % 2 == 1 ? running.last! : running[random.index(running.count)]
            let delay = random.uniform(0.05, 3)
            let wait = delay - Date().timeIntervalSince(target.startedAt)
            if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
            let heads = try await probe.heads()
            let status = await world.stop(target, signal: SIGTERM, within: 30)
            let stoppedAt = Date()
            if status != 0 {
                outcome.findings.append("SIGTERM \(index + 1), \(String(format: "%.2f", Date().timeIntervalSince(target.startedAt))) s after start: berrys \(target.role.rawValue) "
                                        + "exited \(status.map(String.init) ?? "(not within 30 s)")")
            }
            let kept = try await leases(heldBy: target.consumer)
            if !kept.isEmpty { outcome.findings.append("berrys \(target.role.rawValue) kept \(kept.count) leases after SIGTERM: \(kept.prefix(2))") }
            _ = try await world.start(target.role)
            outcome.faults += 1
            if wait <= 0 || delay > 1.5 { try await recover(from: heads, since: stoppedAt, &outcome) }
        }
    }

    /// `count` times: 1–3 s of load, then `fault`, then the recovery timed from its end.
    private func repeated(_ count: Int, random: inout SplitMix, _ outcome: inout FaultRunner.Outcome,
                          _ fault: () async throws -> Void) async throws {
        for _ in 0..<count {
            try await Task.sleep(for: .seconds(random.uniform(1, 3)))
            let heads = try await probe.heads()
            try await fault()
            outcome.faults += 1
            try await recover(from: heads, since: Date(), &outcome)
        }
    }

    private func recover(from heads: [Int: StreamID], since: Date, _ outcome: inout FaultRunner.Outcome) async throws {
        if let seconds = await probe.waitUntilPassed(heads, expectedGroups: expectedGroups, projections: projections, since: since,
                                                     timeout: Self.recoveryLimit) {
            outcome.recoveries.append(seconds)
            printError(String(format: "faults: fault %d: recovered in %.2f s", outcome.faults, seconds))
        } else {
            outcome.findings.append("no recovery within \(Int(Self.recoveryLimit)) s after fault \(outcome.faults)")
        }
    }

    /// The lease keys of the scenario whose value is `consumer`.
    private func leases(heldBy consumer: String) async throws -> [String] {
        var held: [String] = []
        for key in try await redis.scanKeys(matching: "\(world.namespace):lease:*") where try await redis.send("GET", key).string == consumer {
            held.append(key)
        }
        return held
    }

    /// `DEBUG SLEEP`: the server does nothing else meanwhile.
    private func stallRedis(seconds: Int) async throws {
        let connection = RedisPool(configuration: try RedisConfiguration(url: servers.redisURL), size: 1)
        _ = try await connection.send("DEBUG", "SLEEP", String(seconds))
    }

    /// `maxmemory` just above what Redis uses, with noeviction, for `seconds`; the producer's
    /// refusals ("OOM command not allowed") are counted in its tally.
    private func fillRedis(seconds: Double) async throws {
        let info = try await redis.send("INFO", "memory").string ?? ""
        let used = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("used_memory:") }
            .flatMap { Int($0.dropFirst("used_memory:".count)) } ?? 0
        _ = try await redis.send("CONFIG", "SET", "maxmemory-policy", "noeviction")
        _ = try await redis.send("CONFIG", "SET", "maxmemory", String(used + 16_384))
        try? await Task.sleep(for: .seconds(seconds))
        _ = try await redis.send("CONFIG", "SET", "maxmemory", "0")
    }

    /// Ends every session of the scenario's database but the caller's.
    private func terminateSessions() async throws {
        let admin = PostgresConnection(conninfo: servers.databaseURL)
        _ = try await admin.query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                                  [world.databaseName])
    }

    /// Every new session of the scenario's database gets a 5 ms statement timeout for `seconds`
    /// (the old sessions are ended, so that the processes reconnect into it), then it is reset.
    private func timeoutStorm(seconds: Double) async throws {
        let admin = PostgresConnection(conninfo: servers.databaseURL)
        try await admin.execute("ALTER DATABASE \(world.databaseName) SET statement_timeout = '5ms'")
        try await terminateSessions()
        try? await Task.sleep(for: .seconds(seconds))
        try await admin.execute("ALTER DATABASE \(world.databaseName) RESET statement_timeout")
        try await terminateSessions()
    }
}

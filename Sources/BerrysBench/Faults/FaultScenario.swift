import ArgumentParser

/// The faults a run can inject, one scenario each; every scenario ends with the same audit.
enum FaultScenario: String, CaseIterable, ExpressibleByArgument, Sendable {
    case killRun = "kill-run"
    case killWorker = "kill-worker"
    case killProject = "kill-project"
    case killReplay = "kill-replay"
    case sigterm
    case redisRestart = "redis-restart"
    case redisClientKill = "redis-client-kill"
    case redisStall = "redis-stall"
    case redisOOM = "redis-oom"
    case postgresRestart = "pg-restart"
    case postgresTerminate = "pg-terminate"
    case postgresTimeoutStorm = "pg-timeout-storm"
    case diskFull = "disk-full"

    /// What the scenario does, for `--help` and the report.
    var summary: String {
        switch self {
        case .killRun: return "kill -9 of berrys run (API + projector + workers), restarted each time"
        case .killWorker: return "kill -9 of berrys worker beside a berrys run sharing its partitions"
        case .killProject: return "kill -9 of berrys project beside the projector of berrys run"
        case .killReplay: return "kill -9 of berrys replay during the audit's rebuild (batch commits, switch-over)"
        case .sigterm: return "SIGTERM of a random process, also during start-up: exit 0 and no lease kept"
        case .redisRestart: return "redis-server killed and started again (AOF, appendfsync always)"
        case .redisClientKill: return "CLIENT KILL TYPE normal: every connection of every process dropped"
        case .redisStall: return "DEBUG SLEEP 3: Redis stalls for three seconds"
        case .redisOOM: return "maxmemory just above use, noeviction, for 3 s: publishes refused, nothing half-written"
        case .postgresRestart: return "PostgreSQL immediate shutdown (no checkpoint), started again"
        case .postgresTerminate: return "pg_terminate_backend of every session of the scenario's database"
        case .postgresTimeoutStorm: return "statement_timeout 5ms on the scenario's database for 3 s"
        case .diskFull: return "the scenario's tables on a tmpfs that fills up, then grows again"
        }
    }

    /// The processes the scenario runs under load: always a berrys run, and beside it the
    /// process its faults are aimed at.
    var roles: [FaultWorld.Role] {
        switch self {
        case .killWorker: return [.run, .worker]
        case .killProject: return [.run, .project]
        case .sigterm: return [.run, .worker, .project]
        default: return [.run, .worker]
        }
    }
}

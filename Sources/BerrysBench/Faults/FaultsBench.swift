import BerrysPlatform
import ArgumentParser
import BerrysWorkers
import CommandSupport
import Foundation

/// `berrys-bench faults`: kills, restarts and starvation of the processes and servers under
/// load, each scenario ending with the audit (nothing lost, nothing doubled, the DLQ holding
/// only the poisons, projections equal to a fresh rebuild).
struct FaultsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faults",
        abstract: "Fault scenarios under load, each ending with an audit of the log, the workers' effects, the DLQ and the projections.",
        discussion: """
        Run it through scripts/faults, which builds the release binaries and starts the fault servers \
        (scripts/local-servers up faults: Redis with AOF and appendfsync always, DEBUG allowed from \
        loopback; PostgreSQL), whose URLs it takes from BERRYS_REDIS_URL and BERRYS_DATABASE_URL. \
        Each scenario works in its own namespace and database, deleted afterwards; the processes' output \
        stays in .local/faults/logs. Redis and PostgreSQL of those servers are crashed and restarted: do \
        not point it at servers anything else uses. Prints a Markdown table and every finding; exit 1 \
        when a scenario found something.

        Scenarios:
        \(FaultScenario.allCases.map { "  \($0.rawValue): \($0.summary)" }.joined(separator: "\n"))
        """)

    @Option(name: .customLong("scenario"), help: "A scenario to run (repeatable; default: all).")
    var scenarios: [FaultScenario] = []
    @Option(help: "Faults per kill and SIGTERM scenario.") var kills = 50
    @Option(help: "Faults per server scenario (restarts, stalls, …).") var restarts = 5
    @Option(help: "Units published per second (a unit: a task created and assigned, an agent, or a poison).") var rate = 60.0
    @Option(help: "Seed of the random moments (same seed, same choices).") var seed: UInt64 = 12
    @Option(help: "The berrys binary the scenarios run (default: beside this one).") var berrys: String?
    @Option(help: "The script that crashes and restarts the servers.") var serversScript = "scripts/local-servers"
    @Option(help: "The servers' name for that script.") var serversName = "faults"

    func validate() throws {
        guard kills >= 1, restarts >= 1 else { throw ValidationError("--kills and --restarts must be at least 1") }
        guard rate > 0 else { throw ValidationError("--rate must be positive") }
    }

    func run() async throws {
        try await reportingFailures {
            let context = try Context(domain: .berrys, redisPoolSize: 4)
            let servers = try FaultServers.here(context: context, berrys: berrys, serversScript: serversScript, serversName: serversName)
            let chosen = scenarios.isEmpty ? FaultScenario.allCases : scenarios
            var outcomes: [FaultRunner.Outcome] = []
            for scenario in chosen {
                let server = [.redisRestart, .redisClientKill, .redisStall, .redisOOM, .postgresRestart, .postgresTerminate,
                              .postgresTimeoutStorm, .diskFull].contains(scenario)
                let runner = FaultRunner(servers: servers, redis: context.redis, registry: context.registry,
                                         projections: try context.definitions().map(\.name), workers: BerrysWorkerCatalog.all.count,
                                         faults: server ? restarts : kills, unitsPerSecond: rate, seed: seed)
                printError("faults: \(scenario.rawValue): \(scenario.summary) …")
                let outcome = await runner.run(scenario)
                printError("faults: \(scenario.rawValue): \(outcome.passed ? "pass" : "FAIL") in \(Int(outcome.seconds)) s")
                for line in FaultReport.details(outcome) { printError("  " + line) }
                outcomes.append(outcome)
            }
            print("fault run (seed \(seed), \(rate) units/s, \(kills) kills, \(restarts) server faults per scenario)")
            print(FaultReport.header)
            for outcome in outcomes { print(FaultReport.row(outcome)) }
            let details = outcomes.flatMap(FaultReport.details)
            if !details.isEmpty { print(""); for line in details { print("- " + line) } }
            if outcomes.contains(where: { !$0.passed }) { throw ExitCode(1) }
        }
    }
}

import BerrysPlatform
import ArgumentParser
import BerrysWorkers
import CommandSupport
import Foundation

/// `berrys-bench soak`: `berrys run`, `berrys worker` and `berrys project` under a steady load
/// for a long while, their memory and the servers' sampled, then the fault runner's audit.
struct SoakBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "A long steady run under load: every process's resident memory sampled, unbounded growth fails, then the fault audit.",
        discussion: """
        Run it through scripts/soak, which builds the release binaries and starts the fault servers \
        (their URLs come from BERRYS_REDIS_URL and BERRYS_DATABASE_URL). Starts berrys run, berrys worker \
        and berrys project side by side in a namespace and database of their own under the fault \
        runner's producer and API readers (curl: 8 read endpoints every half second or so, about 8 reads a second here; a 5xx other than 503/504 fails), and samples each process's resident memory (VmRSS), Redis used_memory and the \
        database's size every --sample-seconds. A process whose memory keeps rising after the first \
        quarter of the run (a fitted line rising by more than 16 MiB or a fifth of its warm level) fails \
        the soak, as does any process exiting, and any finding of the audit that follows (nothing lost or \
        doubled, DLQ = poisons, projections = a fresh rebuild). Redis and PostgreSQL grow with the log by \
        design; their bytes per event are reported. Prints a Markdown table and the verdicts; exit 1 on a \
        failure.
        """)

    @Option(help: "How long to run, in minutes.") var minutes = 30.0
    @Option(help: "Seconds between samples.") var sampleSeconds = 60.0
    @Option(help: "Units published per second (a unit: a task created and assigned, an agent, or a poison).") var rate = 60.0
    @Option(help: "Seed of the producer's choices.") var seed: UInt64 = 12
    @Option(help: "The berrys binary to run (default: beside this one).") var berrys: String?

    func validate() throws {
        guard minutes > 0, sampleSeconds > 0 else { throw ValidationError("--minutes and --sample-seconds must be positive") }
        guard rate > 0 else { throw ValidationError("--rate must be positive") }
    }

    func run() async throws {
        try await reportingFailures {
            let context = try Context(domain: .berrys, redisPoolSize: 4)
            let servers = try FaultServers.here(context: context, berrys: berrys)
            let faults = FaultRunner(servers: servers, redis: context.redis, registry: context.registry,
                                     projections: try context.definitions().map(\.name), workers: BerrysWorkerCatalog.all.count,
                                     faults: 0, unitsPerSecond: rate, seed: seed)
            printError("soak: \(minutes) min at \(rate) units/s, a sample every \(sampleSeconds) s …")
            let outcome = await SoakRunner(faults: faults, minutes: minutes, sampleSeconds: sampleSeconds).run()
            print(String(format: "soak (%.0f min, %.0f units/s, seed \(seed)): \(outcome.samples.last?.events ?? 0) events, \(outcome.acked) acknowledged publishes", minutes, rate))
            print("")
            for line in SoakReport.table(outcome.samples) { print(line) }
            print("")
            for (line, _) in SoakReport.growth(outcome.samples) { print("- " + line) }
            for line in SoakReport.storage(outcome.samples) { print("- " + line) }
            print("- \(outcome.reads)")
            print("- audit: \(outcome.audit.lost) lost, \(outcome.audit.doubled) doubled, \(outcome.audit.deadLetteredOnPurpose) dead-lettered on purpose, "
                  + "projections = rebuild: \(outcome.rebuildMatches ? "yes" : "no")")
            for finding in outcome.findings + outcome.audit.findings { print("- FINDING: " + finding) }
            if !outcome.passed {
                print("- processes' output in \(outcome.logPath)")
                throw ExitCode(1)
            }
        }
    }
}

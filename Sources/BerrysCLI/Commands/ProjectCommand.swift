import ArgumentParser
import BerrysPlatform
import CommandSupport
import Logging
import Projections

struct ProjectCommand: LongRunningCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Run the live projector: keep the read models in PostgreSQL up to date with the log (Ctrl-C or SIGTERM stops it).")

    @Option(name: .customLong("only"), parsing: .upToNextOption, help: "Only these projections (default: all).")
    var only: [String] = []
    @Flag(help: "When a projection's files changed without a version bump, register them as the next version (build it with berrys replay --rebuild-changed) instead of refusing to start.")
    var rebuildChanged = false
    @Option(help: "Seconds a partition lease lasts without renewal: processes running berrys project share the partitions, and a killed one's move after this.")
    var leaseSeconds: Double = 10

    func validate() throws {
        guard leaseSeconds >= 0.3 else { throw ValidationError("--lease-seconds must be at least 0.3") }
    }

    func run(signals: ShutdownSignals) async throws {
        let assembly = SystemAssembly(
            roles: [.projector, .trimmer], domain: .berrys,
            projector: .init(only: only, rebuildChanged: rebuildChanged, leasing: ProjectorLeasing(lease: .seconds(leaseSeconds))))
        try await reportingFailures {
            try await ServiceRun.run(signals: signals, loggerLabel: "berrys.projector") {
                try await assembly.services(logger: Logger(label: "berrys.projector"))
            }
        }
    }
}

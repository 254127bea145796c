import ArgumentParser
import BerrysPlatform
import CommandSupport
import Logging
import Projections

struct RunCommand: LongRunningCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run everything in one process: the HTTP API, the live projector and the consumer workers (Ctrl-C or SIGTERM stops them gracefully).",
        discussion: "Applies migrations and creates the log first. Same options as berrys worker; projections are all of them; the API listens on BERRYS_HTTP_HOST:BERRYS_HTTP_PORT.")

    @OptionGroup var workerOptions: WorkerOptions

    func run(signals: ShutdownSignals) async throws {
        let assembly = SystemAssembly(
            roles: Set(Role.allCases), domain: .berrys, workers: workerOptions.plan(),
            projector: .init(leasing: ProjectorLeasing(lease: .seconds(workerOptions.leaseSeconds))))
        try await reportingFailures {
            try await ServiceRun.run(signals: signals, loggerLabel: "berrys.run") { try await assembly.services(logger: Logger(label: "berrys.run")) }
        }
    }
}

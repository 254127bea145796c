import ArgumentParser
import BerrysPlatform
import CommandSupport
import Logging

struct ServeCommand: LongRunningCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP query API alone (BERRYS_HTTP_HOST:BERRYS_HTTP_PORT; SIGTERM stops it gracefully).",
        discussion: "Reads come from the read.* views as the role berrys_reader; see berrys run for API + projector + workers.")

    func run(signals: ShutdownSignals) async throws {
        let assembly = SystemAssembly(roles: [.api], domain: .berrys, source: "berrys-api")
        try await reportingFailures {
            try await ServiceRun.run(signals: signals, loggerLabel: "berrys.api") { try await assembly.services(logger: Logger(label: "berrys.api")) }
        }
    }
}

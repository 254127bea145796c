import CommandSupport
import ArgumentParser

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the event log (partitions, metadata) and load the berrys_append function. Idempotent.")

    func run() async throws {
        try await reportingFailures {
            let context = try Context()
            let log = try await context.openLog(create: true)
            print("event log '\(log.configuration.namespace)' ready: \(log.partitioner.partitions) partitions, berrys_append loaded")
        }
    }
}

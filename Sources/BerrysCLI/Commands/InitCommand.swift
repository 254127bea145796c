import BerrysPlatform
import CommandSupport
import ArgumentParser
import Workers

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the event log (partitions, metadata) and load the function libraries on every primary. Idempotent.",
        discussion: """
        The partition count is fixed when the log is created. On a Redis Cluster of N shards,
        P >= 4 x N spreads the partitions well (each partition is one slot, on one shard).
        Opening an existing log with another --partitions or BERRYS_PARTITIONS is refused.
        """)

    @Option(help: "Partitions of a new log (1-1024; default BERRYS_PARTITIONS, else 4). An existing log must have this many.")
    var partitions: Int?

    func validate() throws {
        if let partitions, !(1...1024).contains(partitions) {
            throw ValidationError("--partitions must be 1-1024, got \(partitions)")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let context = try Context(domain: .berrys)
            let log = try await context.openLog(create: true, partitions: partitions)  // loads berrys (berrys_append)
            // The workers' libraries too, so that a cluster is ready before any worker starts
            // (workers load them again at start, and wherever a primary is found without them).
            try await DeadLetterFunctions.load(on: context.redis)
            try await LeaseFunctions.load(on: context.redis)
            let primaries = try await context.redis.primaries()
            print("event log '\(log.configuration.namespace)' ready: \(log.partitioner.partitions) partitions; "
                  + "function libraries berrys, berrys_log, berrys_workers, berrys_leases loaded on \(primaries.count) primar\(primaries.count == 1 ? "y" : "ies")")
        }
    }
}

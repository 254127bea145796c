import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks against the limits of Redis and PostgreSQL measured in the same run.",
        subcommands: [PublishBench.self, ReplayBench.self, WorkersBench.self, APIBench.self])
}

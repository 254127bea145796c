import ArgumentParser
import CommandSupport

/// The `berrys-bench` command: Berrys' figures next to the limits of Redis and PostgreSQL
/// measured in the same run. A product of its own, so that `berrys` ships no benchmark code.
@main
struct BerrysBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "berrys-bench",
        abstract: "Benchmarks against the limits of Redis and PostgreSQL measured in the same run.",
        discussion: """
        Each benchmark works in a throw-away Redis namespace (and throw-away databases) on the servers named by \
        BERRYS_REDIS_URL and BERRYS_DATABASE_URL, and deletes them afterwards. Figures go to standard output, \
        progress to standard error. Exit codes: 0 success, 1 a step failed, 64 bad usage, 69 Redis or \
        PostgreSQL unreachable, 78 bad configuration.
        """,
        subcommands: [PublishBench.self, ClusterBench.self, ReplayBench.self, RetentionBench.self, WorkersBench.self, APIBench.self, StreamBench.self, ConnectorsBench.self, FaultsBench.self, SoakBench.self])

    static func main() async {
        await CommandMain.run(Self.self)
    }
}

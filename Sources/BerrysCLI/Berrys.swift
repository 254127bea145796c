import ArgumentParser
import BerrysWorkers
import CommandSupport
import Workers
import Connectors

/// The `berrys` command.
@main
struct Berrys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "berrys",
        abstract: "The Berrys event backbone: publish events, run consumer workers and projections, read the log and the dead letters.",
        discussion: """
        Configuration comes from the environment (and a .env file in the current folder):
          BERRYS_REDIS_URL     redis://[user:password@]host:port[,host:port...][/db]  (several: seeds of a Redis Cluster;
                               default: the run command's local server)
          BERRYS_DATABASE_URL  postgres://user@host:port/db            (default: the run command's local server)
          BERRYS_NAMESPACE     Redis key prefix (default berrys)
          BERRYS_PARTITIONS    partitions of a new log (default 4); an existing log must match when set
          BERRYS_DURABILITY    local (default) or replicated: an append also waits for a replica
                               (WAIT 1, BERRYS_REPLICATION_TIMEOUT_MS, default 1000)
          BERRYS_DEDUP_WINDOW_MS, BERRYS_MAX_PAYLOAD_BYTES, BERRYS_REDIS_RETRY_SECONDS
          BERRYS_LOG_LEVEL     trace|debug|info|notice|warning|error|critical (default info)
          BERRYS_LOG_FORMAT    text|json (default text)
          BERRYS_SCHEMAS_DIR   the schemas folder (default: ./schemas or the repository's)
          BERRYS_PROJECTIONS_DIR  the projections folder (default: ./projections or the repository's)
          BERRYS_CONNECTORS_DIR   the connectors folder, *.yaml (default: ./connectors when it exists; see connectors/README.md)
        Exit codes: 0 success, 1 an event was refused or a check failed, 64 bad usage,
        69 Redis unreachable, 78 bad configuration or schemas.
        """,
        subcommands: [InitCommand.self, PublishCommand.self, LogCommand.self, SchemasCommand.self, MigrateCommand.self,
                      ProjectCommand.self, ReplayCommand.self, ProjectionsCommand.self, RunCommand.self, ServeCommand.self, DemoCommand.self, WorkerCommand.self, WorkersCommand.self,
                      DeadLetterCommand.self, StatusCommand.self, ScheduleCommand.self])

    static func main() async {
        await CommandMain.run(Self.self)
    }
}

/// A bad connector file is a configuration error (78), naming the file, the field and the rule.
extension ConnectorConfigurationError: CommandFailure {
    public var report: String { "berrys: \(self)" }
    public var exitCode: Int32 { ExitCodes.configuration }
}

/// An unknown worker name is bad usage (64), like an unknown option.
extension WorkerCatalogError: CommandFailure {
    public var report: String { "berrys: \(self)" }
    public var exitCode: Int32 { ExitCode.validationFailure.rawValue }
}

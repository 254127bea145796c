import CommandSupport
import ArgumentParser
import Foundation
import Projections

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild a projection from the log into its own schema, then switch the read.* views to it atomically.",
        discussion: """
        Builds the version in projections/NAME/projection.json side by side with the live one (bump "version" to \
        rebuild after changing the SQL). Queries keep reading the live version until the switch-over. Resumable: \
        stop it and start it again, and it continues where it stopped. Progress goes to standard error.
        """)

    @Argument(help: "The projection's name.") var name: String
    @Option(help: "The version to build; must be the one in projection.json (the default).") var version: Int?
    @Option(help: "Events per batch (one transaction each).") var batchSize: Int = 5000
    @Flag(help: "When the files changed without a version bump, build them as the next version instead of refusing.")
    var rebuildChanged = false
    @Flag(help: "Read the history from the archive projection (read.events) alone. Without it the tiered log is read: the archive below Redis's trimmed point, Redis from there on.")
    var fromArchive = false

    func run() async throws {
        try await reportingFailures {
            let context = try Context(redisPoolSize: 8)
            guard var definition = try context.definitions(only: [name]).first else { return }
            if let version, version != definition.version {
                throw ProjectionError(.definition, "projections/\(name) declares v\(definition.version); only that version can be built (asked for v\(version))")
            }
            let pool = context.postgres(size: 8)
            _ = try await pool.withConnection { try await Migrations.run(on: $0) }
            if rebuildChanged {
                definition = try await ProjectionCatalog(pool: pool).versionForChangedFiles(definition)
            }
            let log = try await context.openLog(create: false)
            let bar = ProgressLine()
            let source: any EventSource = fromArchive ? ArchiveSource(pool: pool) : TieredSource(log: log, pool: pool)
            let applied = try await ProjectionBuilder(log: log, pool: pool, definition: definition, batchSize: batchSize,
                                                      source: source).run { bar.show($0) }
            bar.finish()
            print("\(definition.name) v\(definition.version) built (\(applied) events applied in this run) and live")
        }
    }
}

/// A one-line progress bar on standard error (a new line per update when it is not a terminal).
struct ProgressLine: Sendable {
    let isTerminal = isatty(2) == 1

    func show(_ progress: BuildProgress) {
        let fraction = progress.total > 0 ? min(1, Double(progress.applied) / Double(progress.total)) : 1
        let filled = Int(fraction * 30)
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled)
        let eta = progress.secondsLeft.map { String(format: "ETA %.0fs", $0) } ?? "ETA -"
        let positions = progress.positions.keys.sorted().map { "\($0):\(progress.positions[$0]!)" }.joined(separator: " ")
        let line = String(format: "[%@] %3.0f%% %d/%d events %.0f ev/s %@ %@", bar, fraction * 100, progress.applied,
                          progress.total, progress.eventsPerSecond, eta, positions)
        FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[K" : "") + line + (isTerminal ? "" : "\n")).utf8))
    }

    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

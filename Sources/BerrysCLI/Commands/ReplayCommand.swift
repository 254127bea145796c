import BerrysPlatform
import CommandSupport
import ArgumentParser
import EventLog
import Foundation
import Projections

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild projections from the log into their own schemas, then switch the read.* views to each atomically.",
        discussion: """
        Builds the version in projections/NAME/projection.json side by side with the live one (bump "version" to \
        rebuild after changing the SQL). Queries keep reading the live version until the switch-over. Resumable: \
        stop it and start it again, and it continues where it stopped. Several names are built together, reading \
        the log once for all of them. Progress goes to standard error.
        """)

    @Argument(help: "The projections' names.") var names: [String]
    @Option(help: "The version to build (one name only); must be the one in projection.json (the default).") var version: Int?
    @Option(help: "Events per batch (one transaction each).") var batchSize: Int = 5000
    @Flag(help: "When the files changed without a version bump, build them as the next version instead of refusing.")
    var rebuildChanged = false
    @Flag(help: "Read the history from the archive projection (read.events) alone. Without it the tiered log is read: the archive below Redis's trimmed point, Redis from there on.")
    var fromArchive = false

    func validate() throws {
        guard !names.isEmpty else { throw ValidationError("name at least one projection") }
        guard version == nil || names.count == 1 else { throw ValidationError("--version goes with one name only") }
    }

    func run() async throws {
        try await reportingFailures {
            let context = try Context(domain: .berrys, redisPoolSize: 8)
            var definitions = try context.definitions(only: names)
            if let version, let definition = definitions.first, version != definition.version {
                throw ProjectionError(.definition, "projections/\(definition.name) declares v\(definition.version); only that version can be built (asked for v\(version))")
            }
            let pool = context.postgres(size: 8)
            _ = try await pool.withConnection { try await Migrations.run(on: $0) }
            if rebuildChanged {
                let catalog = ProjectionCatalog(pool: pool)
                for index in definitions.indices { definitions[index] = try await catalog.versionForChangedFiles(definitions[index]) }
            }
            let log = try await context.openLog(create: false)
            let tiered: any EventSource = fromArchive ? ArchiveSource(pool: pool) : TieredSource(log: log, pool: pool)
            let source: any EventSource = definitions.count > 1 ? SharedSource(base: tiered, readers: definitions.count) : tiered
            let bar = ProgressLine(prefix: definitions.count > 1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for definition in definitions {
                    group.addTask {
                        let applied = try await ProjectionBuilder(log: log, pool: pool, definition: definition, batchSize: batchSize,
                                                                  source: source).run { bar.show($0, name: definition.name) }
                        bar.finish()
                        print("\(definition.name) v\(definition.version) built (\(applied) events applied in this run) and live")
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}

/// A one-line progress bar on standard error (a new line per update when it is not a terminal).
struct ProgressLine: Sendable {
    /// Several builds at once: a line each time, named, instead of one line redrawn.
    var prefix = false
    var isTerminal: Bool { isatty(2) == 1 && !prefix }

    func show(_ progress: BuildProgress, name: String = "") {
        let fraction = progress.total > 0 ? min(1, Double(progress.applied) / Double(progress.total)) : 1
        let filled = Int(fraction * 30)
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled)
        let eta = progress.secondsLeft.map { String(format: "ETA %.0fs", $0) } ?? "ETA -"
        let positions = progress.positions.keys.sorted().map { "\($0):\(progress.positions[$0]!)" }.joined(separator: " ")
        let line = String(format: "[%@] %3.0f%% %d/%d events %.0f ev/s %@ %@", bar, fraction * 100, progress.applied,
                          progress.total, progress.eventsPerSecond, eta, positions)
        let named = prefix ? name + " " + line : line
        FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[K" : "") + named + (isTerminal ? "" : "\n")).utf8))
    }

    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

import BerrysPlatform
import CommandSupport
import ArgumentParser
import Projections

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the platform schema in PostgreSQL. Safe to run concurrently and repeatedly.")

    func run() async throws {
        try await reportingFailures {
            let context = try Context(domain: .berrys)
            let applied = try await context.postgres(size: 1).withConnection { try await Migrations.run(on: $0) }
            print(applied.isEmpty ? "schema berrys is up to date (migration \(Migrations.all.last!.version))"
                                  : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
        }
    }
}

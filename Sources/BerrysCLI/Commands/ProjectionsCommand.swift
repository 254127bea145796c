import ArgumentParser
import Foundation
import Projections

struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections", abstract: "Inspect the read models.", subcommands: [List.self, Status.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The projections declared under projections/.")

        func run() async throws {
            try await reportingFailures {
                for definition in try Context().definitions() {
                    print("\(definition.name)\tv\(definition.version)\t\(definition.handles.joined(separator: ","))\t\(definition.description)")
                }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each registered projection version: state, checkpoint per partition, lag in events and seconds, last error.")

        func run() async throws {
            try await reportingFailures {
                let context = try Context()
                let statuses = try await ProjectionStatus.all(pool: context.postgres(size: 2), log: context.openLog(create: false))
                for status in statuses {
                    let positions = status.positions.keys.sorted().map { "\($0):\(status.positions[$0]!)" }.joined(separator: " ")
                    let lag = "\(status.lagEvents)\(status.lagCapped ? "+" : "") events, \(String(format: "%.1f", status.lagSeconds)) s"
                    print("\(status.name) v\(status.version)\t\(status.state)\tlag \(lag)\t\(positions)\(status.error.map { "\terror: \($0)" } ?? "")")
                }
                if statuses.isEmpty { print("no projection registered yet (run berrys project)") }
            }
        }
    }
}

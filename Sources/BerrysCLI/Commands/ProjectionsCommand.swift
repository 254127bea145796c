import BerrysPlatform
import CommandSupport
import ArgumentParser
import EventLog
import Foundation
import Projections

struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections", abstract: "Inspect and operate the read models.",
        subcommands: [List.self, Status.self, Skip.self, Resume.self, Prune.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The projections declared under projections/.")

        func run() async throws {
            try await reportingFailures {
                for definition in try Context(domain: .berrys).definitions() {
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
                let context = try Context(domain: .berrys)
                let statuses = try await ProjectionStatus.all(pool: context.postgres(size: 2), log: context.openLog(create: false))
                for status in statuses {
                    let positions = status.positions.keys.sorted().map { "\($0):\(status.positions[$0]!)" }.joined(separator: " ")
                    let lag = "\(status.lagEvents)\(status.lagCapped ? "+" : "") events, \(String(format: "%.1f", status.lagSeconds)) s"
                    print("\(status.name) v\(status.version)\t\(status.state.rawValue)\tlag \(lag)\t\(positions)\(status.error.map { "\terror: \($0)" } ?? "")")
                }
                if statuses.isEmpty { print("no projection registered yet (run berrys project)") }
            }
        }
    }

    struct Skip: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record an explicit skip of the event a faulted projection stopped on (then run resume).")

        @Argument(help: "The projection.") var name: String
        @Argument(help: "The position it faulted at, as shown by status (<partition>-<stream id>).") var position: String
        @Option(help: "Why, for the record.") var reason: String?
        @Flag(help: "Confirm: the event will never reach this projection version.") var yes = false

        func validate() throws {
            if Position(position) == nil { throw ValidationError("position must look like 2-1732540000000-0") }
            if !yes { throw ValidationError("skipping an event is permanent for this version; add --yes to confirm") }
        }

        func run() async throws {
            try await reportingFailures {
                let who = ProcessInfo.processInfo.environment["USER"] ?? "unknown"
                try await ProjectionCatalog(pool: Context(domain: .berrys).postgres(size: 1)).skip(name: name, position: Position(position)!, by: who, reason: reason)
                print("recorded: \(name) skips the event at \(position); run berrys projections resume \(name)")
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a faulted projection back to work (a running projector picks it up).")

        @Argument(help: "The projection.") var name: String

        func run() async throws {
            try await reportingFailures {
                try await ProjectionCatalog(pool: Context(domain: .berrys).postgres(size: 1)).resume(name: name)
                print("\(name) resumed")
            }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop the schemas of retired projection versions.")

        func run() async throws {
            try await reportingFailures {
                let dropped = try await ProjectionCatalog(pool: Context(domain: .berrys).postgres(size: 1)).prune()
                print(dropped.isEmpty ? "nothing to prune" : "dropped \(dropped.joined(separator: ", "))")
            }
        }
    }
}

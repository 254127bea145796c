import CommandSupport
import ArgumentParser
import BerrysDomain
import BerrysJSON
import EventLog
import Foundation

struct SchemasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schemas",
        abstract: "List, check, compare and apply the versioned event schemas.",
        subcommands: [List.self, SchemasCheckCommand.self, SchemasDiffCommand.self, SchemasAsyncAPICommand.self, Validate.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each event type with its versions and the newest.")

        func run() async throws {
            try await reportingFailures {
                let registry = try BerrysSchemas.registry()
                for type in registry.types {
                    let versions = registry.schemas[type]!.keys.sorted()
                    print("\(type)\tversions \(versions.map { "v\($0)" }.joined(separator: ","))\tnewest v\(versions.last!)")
                }
            }
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a payload (a file, or - for standard input) against a type's schema.")

        @Argument(help: "The event type, e.g. agent.created.") var type: String
        @Option(help: "The schema version (default: the newest).") var version: Int?
        @Argument(help: "The payload file, or - for standard input.") var file: String

        func run() async throws {
            try await reportingFailures {
                let registry = try BerrysSchemas.registry()
                let text = try readInput(file)
                let data: JSON
                do { data = try JSON(parsing: text) } catch {
                    throw EventLogError(.invalidEnvelope, field: "data", "\(file): \(error)")
                }
                guard let version = version ?? registry.newestVersion(of: type) else {
                    throw EventLogError(.unknownType, field: "type", "unknown event type '\(type)' (see berrys schemas list)")
                }
                try registry.validate(type: type, version: version, data: data)
                print("valid: \(type) v\(version)")
            }
        }
    }
}

/// The text of a file, or of standard input for `-`.
func readInput(_ path: String) throws -> String {
    if path == "-" {
        return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw EventLogError(.invalidEnvelope, "cannot read \(path)")
    }
    return text
}

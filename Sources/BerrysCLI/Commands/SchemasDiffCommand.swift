import ArgumentParser
import BerrysDomain
import BerrysJSON
import CommandSupport
import EventLog
import Foundation
import JSONSchema

/// `berrys schemas diff TYPE [FROM TO]`: the changes between two versions of a type, each
/// marked breaking or compatible (for readers of the older version's events).
struct SchemasDiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "The changes between two versions of an event type and whether each is breaking.",
        discussion: "Without versions: the newest version against the one before. The rules are in docs/schemas.md.")

    @Argument(help: "The event type, e.g. agent.created.") var type: String
    @Argument(help: "The older version (1 or v1).") var from: String?
    @Argument(help: "The newer version (2 or v2).") var to: String?
    @Flag(help: "Print the changes as a JSON array.") var json = false

    func run() async throws {
        try await reportingFailures {
            // The folder as it is, not the registry: a diff is wanted most when the registry refuses a step.
            guard let folder = BerrysSchemas.folder() else {
                throw EventLogError(.registry, "cannot find the schemas folder; set BERRYS_SCHEMAS_DIR")
            }
            let set = try SchemaSet.load(from: folder)
            guard let versions = set.schemas[type], let newest = versions.keys.max() else {
                throw EventLogError(.unknownType, field: "type", "unknown event type '\(type)' (see berrys schemas list)")
            }
            let older = try from.map(Self.version) ?? max(newest - 1, 1)
            let newer = try to.map(Self.version) ?? newest
            guard let old = versions[older], let new = versions[newer] else {
                throw EventLogError(.unknownVersion, field: "version", "\(type) has versions \(versions.keys.sorted().map { "v\($0)" }.joined(separator: ", ")), not v\(versions[older] == nil ? older : newer)")
            }
            let changes = SchemaComparison.changes(from: old.document, to: new.document)
            if json {
                print(JSON.array(changes.map(\.json)).serialized)
                return
            }
            let step = try set.steps(swiftUpcasters: BerrysSchemas.swiftUpcasters).first { $0.type == type && $0.from == older && newer == older + 1 }
            let reader = step.map { $0.upcaster.map { ", read through \($0.origin)" } ?? ($0.reader == nil ? "" : ", defaults filled in") } ?? ""
            print("\(type) v\(older) → v\(newer) (mode \(step?.mode.rawValue ?? "n/a")\(reader))")
            for change in changes {
                let verdict = change.isBreaking ? "breaking  " : "compatible"
                print("  \(verdict)  \(change.rule.rawValue.padding(toLength: 28, withPad: " ", startingAt: 0)) \(change.pointer)  \(change.detail)"
                      + (change.fix.map { "\n              fix: \($0)" } ?? ""))
            }
            let breaking = changes.filter(\.isBreaking).count
            print(changes.isEmpty ? "no changes" : "\(breaking) breaking, \(changes.count - breaking) compatible")
        }
    }

    static func version(_ text: String) throws -> Int {
        guard let number = Int(text.hasPrefix("v") ? String(text.dropFirst()) : text), number > 0 else {
            throw ValidationError("a version is a positive number like 2 or v2, not '\(text)'")
        }
        return number
    }
}

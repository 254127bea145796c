import ArgumentParser
import BerrysDomain
import CommandSupport
import EventLog
import Foundation
import JSONSchema

/// `berrys schemas check`: loads every schema and upcaster, judges each step between versions
/// under its type's compatibility mode, proves each step on examples and generated events,
/// and with `--against` compares the published versions of a base.
struct SchemasCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the schemas: compatibility modes, upcasters proven on generated events, and (with --against) the published versions.",
        discussion: """
        Exit 0 when everything holds, 1 on a breaking change (each named with the type, the two \
        versions, the JSON Pointer and the rule, and what would fix it), 78 when a file is wrong.
        The rules are in docs/schemas.md.
        """)

    @Option(help: "A git ref (e.g. origin/main) or a folder whose schemas are the published base: versions it has must stay as they are.")
    var against: String?
    @Option(help: "Generated events per step (property-based proof).") var instances = 200
    @Option(help: "Seed of the generated events (a failure names the seed that shows it).") var seed: UInt64 = 0

    func run() async throws {
        try await reportingFailures {
            let started = ContinuousClock.now
            guard let folder = BerrysSchemas.folder() else {
                throw EventLogError(.registry, "cannot find the schemas folder; set BERRYS_SCHEMAS_DIR")
            }
            let set = try SchemaSet.load(from: folder)
            let steps = try set.steps(swiftUpcasters: BerrysSchemas.swiftUpcasters)
            var refusals = steps.flatMap(\.refusals)
            for step in steps {
                let proof = SchemaProof(step, in: set, instances: instances, seed: seed)
                refusals += proof.refusals
                print(Self.line(step, proof))
            }
            if let against {
                let base = try SchemaBase.load(against, beside: folder)
                defer { base.remove() }
                let baseRefusals = set.refusals(againstBase: try SchemaSet.load(from: base.folder))
                refusals += baseRefusals
                print("against \(against): \(baseRefusals.isEmpty ? "every published version is unchanged or compatibly edited" : "\(baseRefusals.count) problem(s)")")
            }
            guard refusals.isEmpty else { throw SchemaCheckFailure(refusals: refusals) }
            let versions = set.schemas.values.reduce(0) { $0 + $1.count }
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("ok: \(set.schemas.count) event types, \(versions) schema versions, \(steps.count) step(s) proven, every version reaches the newest (\(String(format: "%.2f", seconds)) s)")
        }
    }

    static func line(_ step: VersionStep, _ proof: SchemaProof) -> String {
        let breaking = step.changes.filter(\.isBreaking).count
        let reader = step.upcaster.map { "upcaster \($0.origin)" } ?? (step.reader == nil ? "read as is" : "defaults filled in")
        let proven = step.mode == .none ? "not proven (mode NONE)" : !step.refusals.isEmpty ? "refused"
            : "proven on \(proof.examples) example(s) + \(proof.generated) generated event(s)"
        return "\(step.type) v\(step.from) → v\(step.to) (\(step.mode.rawValue)): \(step.changes.count) change(s), \(breaking) breaking, \(reader), \(proven)"
    }
}

/// Breaking changes found by `schemas check`: exit 1, one line each.
struct SchemaCheckFailure: CommandFailure {
    let refusals: [SchemaRefusal]
    var report: String {
        (refusals.map { "berrys: BERRYS_INCOMPATIBLE: \($0)" } + ["berrys: \(refusals.count) breaking change(s); see docs/schemas.md"])
            .joined(separator: "\n")
    }
    var exitCode: Int32 { ExitCodes.refused }
}

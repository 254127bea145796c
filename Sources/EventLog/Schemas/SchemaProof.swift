import BerrysJSON
import JSONSchema

/// Proves a step on many events rather than trusting the comparison alone: every valid example
/// of the old version and `instances` generated ones (seeded, so a failure can be reproduced),
/// read as the new version, must be valid under it; under FORWARD and FULL, generated events of
/// the new version must be valid under the old one too.
public struct SchemaProof: Sendable {
    public let step: VersionStep
    /// How many examples and generated events were read.
    public let examples: Int
    public let generated: Int
    public let refusals: [SchemaRefusal]

    /// At most this many failures are reported per step: the first ones say what is wrong.
    static let reportedFailures = 3

    public init(_ step: VersionStep, in set: SchemaSet, instances: Int, seed: UInt64) {
        self.step = step
        // A step already refused by the comparison is not proven: the refusal says what to fix.
        guard step.mode != .none, step.refusals.isEmpty, let old = set.schemas[step.type]?[step.from], let new = set.schemas[step.type]?[step.to] else {
            (examples, generated, refusals) = (0, 0, [])
            return
        }
        let stepSeed = SeededRandom.seed("\(step.type) v\(step.from)") ^ seed
        let examples = set.examples[step.type]?[step.from] ?? []
        var generator = InstanceGenerator(schema: old, seed: stepSeed)
        let generated = generator.instances(instances)
        var refusals: [SchemaRefusal] = []
        let named = examples.map { ("example \($0.name)", $0.data) }
            + generated.enumerated().map { ("generated event #\($0.offset) (seed \(stepSeed))", $0.element) }
        for (name, event) in named where refusals.count < Self.reportedFailures {
            if let refusal = Self.read(event, named: name, through: step, validatedBy: new) { refusals.append(refusal) }
        }
        if step.mode.checksForward {
            var newGenerator = InstanceGenerator(schema: new, seed: stepSeed ^ 1)
            for (index, event) in newGenerator.instances(instances).enumerated() where refusals.count < Self.reportedFailures {
                let errors = old.validate(event)
                guard let first = errors.first else { continue }
                refusals.append(SchemaRefusal(
                    type: step.type, from: step.from, to: step.to, pointer: first.instancePath.isEmpty ? "/" : first.instancePath, rule: "forward-proof",
                    detail: "generated v\(step.to) event #\(index) (seed \(stepSeed ^ 1)) is refused by v\(step.from): \(first) — \(Self.shown(event))",
                    fix: "make v\(step.to) accept no more than v\(step.from) does"))
            }
        }
        (self.examples, self.generated, self.refusals) = (examples.count, generated.count, refusals)
    }

    private static func read(_ event: JSON, named name: String, through step: VersionStep, validatedBy new: JSONSchema) -> SchemaRefusal? {
        let rule = step.upcaster == nil ? "compatibility-proof" : "upcaster-proof"
        let fix = step.upcaster.map { "fix the upcaster (\($0.origin))" }
            ?? "declare an upcaster schemas/\(step.type)/upcasters/v\(step.from)-to-v\(step.to).json (the comparison found no breaking change: please report this schema pair)"
        let read: JSON
        do {
            read = try step.reader?.upcast(event) ?? event
        } catch {
            return SchemaRefusal(type: step.type, from: step.from, to: step.to, pointer: "/", rule: rule,
                                 detail: "\(name) could not be read as v\(step.to): \(error) — \(shown(event))", fix: fix)
        }
        guard let first = new.validate(read).first else { return nil }
        return SchemaRefusal(type: step.type, from: step.from, to: step.to, pointer: first.instancePath.isEmpty ? "/" : first.instancePath, rule: rule,
                             detail: "\(name) read as v\(step.to) is invalid: \(first) — \(shown(event))", fix: fix)
    }

    /// The event as JSON, cut at 300 characters.
    static func shown(_ event: JSON) -> String {
        let text = event.serialized
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}

import BerrysDomain
import BerrysJSON
import EventLog
import JSONSchema

/// What the fuzzers feed bytes to, each with the property it checks. A broken property is a
/// `preconditionFailure`, so that libFuzzer (and a regression run) sees it as a crash; an input
/// the code refuses with its own error is fine — refusing is what bad input should get.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The JSON parser: whatever it accepts serializes to text it parses back to the same value.
    case json
    /// The schema validator: every shipped schema judges any JSON without crashing, the same way
    /// twice; any JSON the compiler accepts as a schema judges the input and a few fixed values.
    case schema
    /// The stream-entry decoder (`EventEnvelope(fields:)`, then the schema and upcast on
    /// consume): an entry it accepts gives back the fields it was read from.
    case envelope
    /// The CloudEvents JSON decoder: an event it accepts round-trips through its structured form.
    case cloudevent
    /// The sealed-field decoder (`SealedField(parsing:)`, then opening a payload): a text it
    /// accepts is canonical (it prints back the same), and opening never crashes.
    case sealed

    /// Runs one input.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .json: Self.json(bytes)
        case .schema: Self.schema(bytes)
        case .envelope: Self.envelope(bytes)
        case .cloudevent: Self.cloudEvent(bytes)
        case .sealed: Self.sealed(bytes)
        }
    }

    /// The shipped schemas and upcasters, loaded once (from `BERRYS_SCHEMAS_DIR` or the repository's).
    static let registry: SchemaRegistry? = try? BerrysSchemas.registry()

    /// Loads what the targets need, before the first input.
    /// - Throws: when the schemas folder cannot be found or loaded.
    public static func prepare() throws {
        if registry == nil { _ = try BerrysSchemas.registry() }
    }

    static func json(_ bytes: [UInt8]) {
        guard let value = try? JSON(parsing: bytes) else { return }
        let text = value.serialized
        guard let again = try? JSON(parsing: text) else {
            preconditionFailure("the parser accepted input whose serialization it refuses: \(text.prefix(200))")
        }
        precondition(again == value, "a value changed through serialize and parse: \(text.prefix(200))")
    }

    static func schema(_ bytes: [UInt8]) {
        guard let instance = try? JSON(parsing: bytes) else { return }
        if let registry {
            for type in registry.types {
                guard let version = registry.newestVersion(of: type) else { continue }
                let first = (try? registry.validate(type: type, version: version, data: instance)) != nil
                let second = (try? registry.validate(type: type, version: version, data: instance)) != nil
                precondition(first == second, "\(type) v\(version) judged the same value two ways")
            }
        }
        guard let schema = try? JSONSchema(instance) else { return }
        let fixed: [JSON] = [.null, .bool(true), .number(0), .number(-1.5), .string(""), .string("x"), .array([]), .object([:]), instance]
        for value in fixed { _ = schema.validate(value) }
    }

    static func envelope(_ bytes: [UInt8]) {
        // Lines of `name=value`: the field/value pairs of one stream entry.
        let text = String(decoding: bytes, as: UTF8.self)
        let fields = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> (String, String) in
            guard let equals = line.firstIndex(of: "=") else { return (String(line), "") }
            return (String(line[..<equals]), String(line[line.index(after: equals)...]))
        }
        guard let envelope = try? EventEnvelope(fields: fields, position: nil) else { return }
        if let registry {
            _ = try? registry.validate(type: envelope.type, version: envelope.dataVersion, data: envelope.data)
            _ = try? registry.upcast(envelope)
        }
        // What the log stores: the fields `berrys_append` takes, plus the sequence it assigns.
        let stored = envelope.fields + (envelope.sequence.map { [("sequence", String($0))] } ?? [])
        guard let again = try? EventEnvelope(fields: stored, position: nil) else {
            preconditionFailure("an accepted entry's own fields are refused: \(stored)")
        }
        precondition(again.cloudEvent == envelope.cloudEvent, "an entry changed through its fields")
    }

    static func cloudEvent(_ bytes: [UInt8]) {
        guard let json = try? JSON(parsing: bytes) else { return }
        _ = try? EventDraft(cloudEvent: json)
        guard let event = try? EventEnvelope(cloudEvent: json) else { return }
        guard let again = try? EventEnvelope(cloudEvent: event.cloudEvent) else {
            preconditionFailure("an accepted CloudEvent's structured form is refused: \(event.cloudEvent.serialized.prefix(300))")
        }
        precondition(again.cloudEvent == event.cloudEvent, "a CloudEvent changed through its structured form")
    }
}

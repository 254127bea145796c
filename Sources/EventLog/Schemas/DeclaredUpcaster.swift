import BerrysJSON

/// An upcaster written as data beside the schemas (`schemas/<type>/upcasters/v1-to-v2.json`):
/// a list of steps applied in order to the payload. The format is in `docs/schemas.md`:
///
///     { "steps": [ { "rename": "/type", "to": "/agent_type" },
///                  { "default": "/specializations", "value": [] },
///                  { "map": "/status", "values": { "ACTIVE": "RUNNING" }, "otherwise": "UNKNOWN" },
///                  { "set": "/kind", "value": "direct" },
///                  { "drop": "/legacy" } ] }
///
/// Pointers name object members (RFC 6901); missing parents are created by `rename`, `default`
/// and `set`. Every step is total: a step whose source is absent changes nothing.
public struct DeclaredUpcaster: Sendable, Hashable {
    /// One step of a declared upcaster.
    public enum Step: Sendable, Hashable {
        case rename(from: [String], to: [String])
        case setDefault(at: [String], value: JSON)
        case set(at: [String], value: JSON)
        case map(at: [String], values: [String: JSON], otherwise: JSON?)
        case drop(at: [String])
    }

    public var steps: [Step]

    public init(steps: [Step]) {
        self.steps = steps
    }

    /// Reads the declaration.
    /// - Throws: `EventLogError.registry` naming the step and what is wrong with it.
    public init(_ document: JSON, file: String) throws {
        guard let steps = document["steps"]?.arrayValue else {
            throw EventLogError(.registry, field: file, "\(file): an upcaster needs \"steps\": an array of steps (see docs/schemas.md)")
        }
        let unknown = Set(document.objectValue!.keys).subtracting(["steps", "$comment", "description"])
        guard unknown.isEmpty else {
            throw EventLogError(.registry, field: file, "\(file): unknown member(s) \(unknown.sorted().joined(separator: ", ")); allowed: steps, description, $comment")
        }
        self.steps = try steps.enumerated().map { index, step in try Self.step(step, at: "\(file) step \(index)") }
    }

    private static func step(_ step: JSON, at place: String) throws -> Step {
        func pointer(_ key: String) throws -> [String] {
            guard let text = step[key]?.stringValue, text.hasPrefix("/"), text.count > 1 else {
                throw EventLogError(.registry, field: place, "\(place): \"\(key)\" must be a JSON Pointer to a member, like \"/name\"")
            }
            return VersionStep.pointerTokens(text)
        }
        func value() throws -> JSON {
            guard let value = step["value"] else { throw EventLogError(.registry, field: place, "\(place): needs a \"value\"") }
            return value
        }
        let kinds = ["rename", "default", "set", "map", "drop"].filter { step[$0] != nil }
        guard kinds.count == 1 else {
            throw EventLogError(.registry, field: place, "\(place): a step has exactly one of rename, default, set, map, drop")
        }
        let allowed: Set<String> = ["rename": ["to"], "default": ["value"], "set": ["value"], "map": ["values", "otherwise"], "drop": []][kinds[0]]!
        let unknown = Set(step.objectValue!.keys).subtracting(allowed.union([kinds[0], "$comment"]))
        guard unknown.isEmpty else {
            throw EventLogError(.registry, field: place, "\(place): unknown member(s) \(unknown.sorted().joined(separator: ", ")) for a \(kinds[0]) step")
        }
        switch kinds[0] {
        case "rename": return .rename(from: try pointer("rename"), to: try pointer("to"))
        case "default": return .setDefault(at: try pointer("default"), value: try value())
        case "set": return .set(at: try pointer("set"), value: try value())
        case "drop": return .drop(at: try pointer("drop"))
        default:
            guard let values = step["values"]?.objectValue else {
                throw EventLogError(.registry, field: place, "\(place): \"values\" must map old string values to new values")
            }
            return .map(at: try pointer("map"), values: values, otherwise: step["otherwise"])
        }
    }

    /// The payload after every step.
    public func apply(_ data: JSON) -> JSON {
        steps.reduce(data) { data, step in
            switch step {
            case .rename(let from, let to):
                guard let value = Self.value(in: data, at: from) else { return data }
                return Self.replacing(in: Self.replacing(in: data, at: from, with: nil), at: to, with: value)
            case .setDefault(let at, let value):
                return Self.value(in: data, at: at) == nil ? Self.replacing(in: data, at: at, with: value) : data
            case .set(let at, let value):
                return Self.replacing(in: data, at: at, with: value)
            case .drop(let at):
                return Self.replacing(in: data, at: at, with: nil)
            case .map(let at, let values, let otherwise):
                guard let old = Self.value(in: data, at: at) else { return data }
                guard let new = old.stringValue.flatMap({ values[$0] }) ?? otherwise else { return data }
                return Self.replacing(in: data, at: at, with: new)
            }
        }
    }

    /// The member at `path`, when every parent is an object that has it.
    static func value(in data: JSON, at path: [String]) -> JSON? {
        path.reduce(Optional(data)) { node, name in node?[name] }
    }

    /// `data` with the member at `path` set (nil removes it); missing parents are created
    /// when setting, and a parent that is not an object leaves the data unchanged.
    static func replacing(in data: JSON, at path: [String], with value: JSON?) -> JSON {
        guard let name = path.first else { return value ?? data }
        guard var members = data.objectValue else { return data }
        if path.count == 1 {
            members[name] = value
        } else {
            guard let child = members[name] ?? (value == nil ? nil : .object([:])) else { return data }
            members[name] = replacing(in: child, at: Array(path.dropFirst()), with: value)
        }
        return .object(members)
    }

    /// An `Upcaster` that applies these steps.
    public func upcaster(type: String, fromVersion: Int, origin: String) -> Upcaster {
        Upcaster(type: type, fromVersion: fromVersion, origin: origin) { [self] data in apply(data) }
    }
}

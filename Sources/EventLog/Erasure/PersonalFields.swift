import BerrysJSON

/// Where a schema declares personal data: every property annotated `"x-berrys-personal": true`,
/// as instance paths (`["content"]`, `["routing", "note"]`; `"*"` stands for each array item).
///
/// Erasure (crypto-shredding) seals these fields with their data owner's key, so that
/// destroying the key erases them everywhere the event went. (The core only so far: the
/// publish and read paths do not call it yet.)
public struct PersonalFields: Sendable, Hashable {
    /// The annotation keyword.
    public static let keyword = "x-berrys-personal"

    /// The paths, in document order.
    public let paths: [[String]]

    /// Finds the annotated properties of `schema` (following local `$ref`s, `allOf`, `anyOf`,
    /// `oneOf`, `items` and `prefixItems`).
    public init(schema: JSON) {
        var found: [[String]] = []
        Self.collect(schema, root: schema, at: [], into: &found, depth: 0)
        var seen = Set<[String]>()
        paths = found.filter { seen.insert($0).inserted }
    }

    public var isEmpty: Bool { paths.isEmpty }

    private static func collect(_ node: JSON, root: JSON, at path: [String], into found: inout [[String]], depth: Int) {
        guard depth < 32, var members = node.objectValue else { return }
        if let target = referenced(node, root: root) {
            collect(target, root: root, at: path, into: &found, depth: depth + 1)
            members.removeValue(forKey: "$ref")
        }
        for (name, property) in (members["properties"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            if isPersonal(property, root: root) { found.append(path + [name]) }
            collect(property, root: root, at: path + [name], into: &found, depth: depth + 1)
        }
        for keyword in ["allOf", "anyOf", "oneOf"] {
            for branch in members[keyword]?.arrayValue ?? [] { collect(branch, root: root, at: path, into: &found, depth: depth + 1) }
        }
        for items in [members["items"]].compactMap({ $0 }) + (members["prefixItems"]?.arrayValue ?? []) {
            if isPersonal(items, root: root) { found.append(path + ["*"]) }
            collect(items, root: root, at: path + ["*"], into: &found, depth: depth + 1)
        }
    }

    /// True when the schema (or the one its local `$ref` names) carries the annotation.
    private static func isPersonal(_ schema: JSON, root: JSON) -> Bool {
        schema[keyword]?.boolValue == true || referenced(schema, root: root)?[keyword]?.boolValue == true
    }

    /// The target of a schema's local `$ref`, if it has one.
    private static func referenced(_ schema: JSON, root: JSON) -> JSON? {
        guard let ref = schema["$ref"]?.stringValue, ref.hasPrefix("#/") else { return nil }
        return ref.dropFirst(2).split(separator: "/").reduce(Optional(root)) { node, token in
            node?[token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")]
        }
    }

    /// The JSON Pointer of a path (`/routing/note`, `/tags/*`).
    public static func pointer(_ path: [String]) -> String {
        path.map { "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }.joined()
    }
}

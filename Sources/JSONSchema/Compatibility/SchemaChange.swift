import BerrysJSON

/// One difference between two versions of a schema, and whether it breaks readers.
///
/// "Breaking" is judged in one direction: an instance valid under the old schema may be
/// invalid under the new one. `SchemaComparison` finds the changes; callers decide which
/// direction matters (BACKWARD compares old → new, FORWARD new → old).
public struct SchemaChange: Sendable, Hashable, CustomStringConvertible {
    /// What changed, named as the docs name it (`docs/schemas.md`, "Compatibility rules").
    public enum Rule: String, Sendable, Hashable, CaseIterable {
        // Breaking: some old instance is refused by the new schema.
        case typeNarrowed = "type-narrowed"
        case enumNarrowed = "enum-narrowed"
        case constChanged = "const-changed"
        case requiredAdded = "required-added"
        case propertyRemoved = "property-removed"
        case propertyConstrained = "property-constrained"
        case additionalPropertiesClosed = "additional-properties-closed"
        case boundTightened = "bound-tightened"
        case multipleOfChanged = "multiple-of-changed"
        case patternChanged = "pattern-changed"
        case formatChanged = "format-changed"
        case uniqueItemsAdded = "unique-items-added"
        case dependencyAdded = "dependency-added"
        case combinatorChanged = "combinator-changed"
        case schemaConstrained = "schema-constrained"
        // Compatible: every old instance is still valid (or is completed by a default on read).
        case requiredAddedWithDefault = "required-added-with-default"
        case typeWidened = "type-widened"
        case enumWidened = "enum-widened"
        case propertyAdded = "property-added"
        case propertyRemovedOpen = "property-removed-open"
        case requiredRemoved = "required-removed"
        case constraintLoosened = "constraint-loosened"
        case annotationChanged = "annotation-changed"

        /// True when some instance of the old schema is refused by the new one.
        public var isBreaking: Bool {
            switch self {
            case .requiredAddedWithDefault, .typeWidened, .enumWidened, .propertyAdded, .propertyRemovedOpen,
                 .requiredRemoved, .constraintLoosened, .annotationChanged:
                return false
            default:
                return true
            }
        }
    }

    /// The JSON Pointer of the changed keyword in the schema (`/properties/name/maxLength`).
    public var pointer: String
    public var rule: Rule
    /// What changed, in words (`maxLength 200 → 100`).
    public var detail: String
    /// What would make the change compatible, for breaking changes.
    public var fix: String?
    /// For `required-added-with-default`: where in the instance the default goes, and its value.
    public var filledDefault: FilledDefault?

    /// A default the reader fills in for an old instance that lacks a newly required property.
    public struct FilledDefault: Sendable, Hashable {
        /// The instance's JSON Pointer of the property (`/specializations`).
        public var instancePointer: String
        public var value: JSON
    }

    public var isBreaking: Bool { rule.isBreaking }

    public init(_ pointer: String, _ rule: Rule, _ detail: String, fix: String? = nil, filledDefault: FilledDefault? = nil) {
        self.pointer = pointer.isEmpty ? "/" : pointer
        self.rule = rule
        self.detail = detail
        self.fix = fix
        self.filledDefault = filledDefault
    }

    /// The change as JSON (`schemas diff --json`, `GET /v1/schemas/{type}/diff`).
    public var json: JSON {
        var members: [String: JSON] = ["pointer": .string(pointer), "rule": .string(rule.rawValue),
                                       "breaking": .bool(isBreaking), "detail": .string(detail)]
        if let fix { members["fix"] = .string(fix) }
        return .object(members)
    }

    public var description: String {
        "\(isBreaking ? "breaking" : "compatible") \(rule.rawValue) at \(pointer): \(detail)" + (fix.map { " (fix: \($0))" } ?? "")
    }
}

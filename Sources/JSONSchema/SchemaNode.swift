import BerrysJSON
import Foundation

/// One compiled (sub)schema. Immutable after compilation.
final class SchemaNode: Sendable {
    /// `true`/`false` schemas; `nil` for object schemas.
    let constant: Bool?
    let types: Set<String>?
    let enumValues: [JSON]?
    let constValue: JSON?
    let ref: String?

    let properties: [String: SchemaNode]
    let additionalProperties: SchemaNode?
    let required: [String]
    let minProperties: Int?
    let maxProperties: Int?
    let dependentRequired: [String: [String]]

    let prefixItems: [SchemaNode]
    let items: SchemaNode?
    let minItems: Int?
    let maxItems: Int?
    let uniqueItems: Bool

    let minLength: Int?
    let maxLength: Int?
    let pattern: Pattern?
    let format: StringFormat?

    let minimum: Double?
    let maximum: Double?
    let exclusiveMinimum: Double?
    let exclusiveMaximum: Double?
    let multipleOf: Double?

    let allOf: [SchemaNode]
    let anyOf: [SchemaNode]
    let oneOf: [SchemaNode]
    let not: SchemaNode?

    /// A `true`/`false` schema.
    convenience init(constant: Bool) {
        self.init(SchemaParts(), constant: constant)
    }

    init(_ parts: SchemaParts, constant: Bool? = nil) {
        self.constant = constant
        types = parts.types; enumValues = parts.enumValues; constValue = parts.constValue; ref = parts.ref
        properties = parts.properties; additionalProperties = parts.additionalProperties; required = parts.required
        minProperties = parts.minProperties; maxProperties = parts.maxProperties; dependentRequired = parts.dependentRequired
        prefixItems = parts.prefixItems; items = parts.items; minItems = parts.minItems; maxItems = parts.maxItems
        uniqueItems = parts.uniqueItems
        minLength = parts.minLength; maxLength = parts.maxLength; pattern = parts.pattern; format = parts.format
        minimum = parts.minimum; maximum = parts.maximum
        exclusiveMinimum = parts.exclusiveMinimum; exclusiveMaximum = parts.exclusiveMaximum; multipleOf = parts.multipleOf
        allOf = parts.allOf; anyOf = parts.anyOf; oneOf = parts.oneOf; not = parts.not
    }
}

/// The keywords of one schema object while it is being compiled.
struct SchemaParts {
    var types: Set<String>?
    var enumValues: [JSON]?
    var constValue: JSON?
    var ref: String?
    var properties: [String: SchemaNode] = [:]
    var additionalProperties: SchemaNode?
    var required: [String] = []
    var minProperties: Int?
    var maxProperties: Int?
    var dependentRequired: [String: [String]] = [:]
    var prefixItems: [SchemaNode] = []
    var items: SchemaNode?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false
    var minLength: Int?
    var maxLength: Int?
    var pattern: Pattern?
    var format: StringFormat?
    var minimum: Double?
    var maximum: Double?
    var exclusiveMinimum: Double?
    var exclusiveMaximum: Double?
    var multipleOf: Double?
    var allOf: [SchemaNode] = []
    var anyOf: [SchemaNode] = []
    var oneOf: [SchemaNode] = []
    var not: SchemaNode?
}

/// A compiled `pattern`.
///
/// `@unchecked Sendable`: NSRegularExpression is immutable after creation and documented as
/// safe to use from several threads at once.
struct Pattern: @unchecked Sendable {
    let source: String
    let expression: NSRegularExpression

    func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

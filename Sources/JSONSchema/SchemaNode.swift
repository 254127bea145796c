import BerrysJSON
import Foundation

/// One compiled (sub)schema. Immutable after compilation; its keywords are in `keywords`
/// (read field by field: `node.keywords.minLength`, not by copying the whole struct).
final class SchemaNode: Sendable {
    /// `true`/`false` schemas; `nil` for object schemas.
    let constant: Bool?
    let keywords: SchemaParts

    /// A `true`/`false` schema.
    convenience init(constant: Bool) {
        self.init(SchemaParts(), constant: constant)
    }

    init(_ keywords: SchemaParts, constant: Bool? = nil) {
        self.constant = constant
        self.keywords = keywords
    }
}

/// The keywords of one schema object.
struct SchemaParts: Sendable {
    var types: JSONTypes?
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

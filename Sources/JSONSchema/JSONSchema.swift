import BerrysJSON

/// A JSON Schema (draft 2020-12, a documented subset) ready to validate instances.
///
/// Supported: `type enum const properties required additionalProperties items prefixItems
/// minItems maxItems uniqueItems minLength maxLength pattern minimum maximum exclusiveMinimum
/// exclusiveMaximum multipleOf allOf anyOf oneOf not $ref $defs minProperties maxProperties
/// dependentRequired format` (formats `uuid`, `date-time`, `email`, `uri`, asserted), plus the
/// annotations listed in `annotationKeywords` and vendor extensions named `x-…` (annotations
/// too). Anything else is refused when the schema is loaded, so a schema never silently means
/// less than it says.
public struct JSONSchema: Sendable {
    /// Keywords that validate.
    public static let supportedKeywords: Set<String> = [
        "$schema", "$id", "$defs", "$ref", "type", "enum", "const", "properties", "additionalProperties",
        "required", "minProperties", "maxProperties", "dependentRequired", "prefixItems", "items",
        "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "pattern", "format",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "allOf", "anyOf", "oneOf", "not",
    ]

    /// Keywords that only annotate and are accepted without effect.
    public static let annotationKeywords: Set<String> = [
        "title", "description", "$comment", "default", "examples", "deprecated", "readOnly", "writeOnly",
        "contentMediaType", "contentEncoding",
    ]

    /// True for keywords that only annotate: `annotationKeywords` and vendor extensions (`x-…`).
    public static func isAnnotation(_ keyword: String) -> Bool {
        annotationKeywords.contains(keyword) || keyword.hasPrefix("x-")
    }

    /// The schema's `$id`, when it has one.
    public let id: String?
    /// The schema's source JSON.
    public let document: JSON
    let root: SchemaNode
    let nodes: [String: SchemaNode]

    /// Compiles a schema.
    /// - Throws: `SchemaError` naming the schema location and the unsupported or malformed keyword.
    public init(_ document: JSON) throws {
        let id = document["$id"]?.stringValue
        var compiler = SchemaCompiler(rootID: id)
        let root = try compiler.compile(document, at: "#")
        for (ref, at) in compiler.references where compiler.nodes[ref] == nil {
            throw SchemaError(.unresolvableReference, at: at, "$ref '\(ref)' does not point at a subschema of this document")
        }
        self.id = id
        self.document = document
        self.root = root
        self.nodes = compiler.nodes
    }

    /// Compiles a schema from JSON text.
    public init(parsing text: String) throws {
        try self.init(JSON(parsing: text))
    }

    /// Validates an instance.
    /// - Returns: every failure found, empty when the instance is valid.
    public func validate(_ instance: JSON) -> [ValidationError] {
        var validator = SchemaValidator(nodes: nodes)
        validator.validate(instance, against: root)
        return validator.errors
    }

    /// True when `instance` is valid.
    public func isValid(_ instance: JSON) -> Bool {
        validate(instance).isEmpty
    }
}

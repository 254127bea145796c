/// A schema that cannot be loaded: malformed, or using something outside the supported subset.
public struct SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why the schema was refused.
    public enum Code: String, Sendable, Hashable {
        /// A keyword outside the supported subset (see `JSONSchema.supportedKeywords`).
        case unsupportedKeyword = "SCHEMA_UNSUPPORTED_KEYWORD"
        /// A keyword with a value of the wrong shape, e.g. `minLength: -1`.
        case invalidKeywordValue = "SCHEMA_INVALID_KEYWORD_VALUE"
        /// A `$ref` that does not point at a subschema of this document.
        case unresolvableReference = "SCHEMA_UNRESOLVABLE_REF"
    }

    public var code: Code
    /// Where in the schema, as a JSON Pointer fragment (`#/properties/name`).
    public var schemaPath: String
    public var message: String

    public init(_ code: Code, at schemaPath: String, _ message: String) {
        self.code = code
        self.schemaPath = schemaPath
        self.message = message
    }

    public var description: String { "\(code.rawValue) at \(schemaPath): \(message)" }
}

/// One way an instance fails its schema.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// JSON Pointer to the failing value (`""` is the whole document).
    public var instancePath: String
    /// The keyword that failed, e.g. `required`.
    public var keyword: String
    /// The rule in words, e.g. `required property missing`.
    public var message: String

    public init(instancePath: String, keyword: String, message: String) {
        self.instancePath = instancePath
        self.keyword = keyword
        self.message = message
    }

    /// `/name: required property missing`; the whole document shows as `/`.
    public var description: String { "\(instancePath.isEmpty ? "/" : instancePath): \(message)" }
}

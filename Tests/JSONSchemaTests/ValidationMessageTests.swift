import BerrysJSON
import JSONSchema
import Testing

@Suite struct ValidationMessageTests {
    let schema = try! JSONSchema(parsing: """
    {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
     "required": ["name", "id"], "additionalProperties": false,
     "properties": {"name": {"type": "string", "minLength": 1}, "id": {"type": "string", "format": "uuid"},
                    "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}}},
     "$defs": {"tag": {"type": "string", "pattern": "^[a-z]+$"}}}
    """)

    @Test func errorsNameThePointerAndTheRule() throws {
        let errors = schema.validate(try JSON(parsing: #"{"id": "nope", "tags": ["ok", "Bad"], "extra": 1}"#))
        let described = Set(errors.map(\.description))
        #expect(described.contains("/name: required property missing"))
        #expect(described.contains("/id: must be a valid uuid"))
        #expect(described.contains("/tags/1: must match pattern ^[a-z]+$"))
        #expect(described.contains("/extra: property 'extra' is not allowed"))
        #expect(errors.count == 4)
    }

    @Test func validInstanceHasNoErrors() throws {
        #expect(schema.isValid(try JSON(parsing: #"{"name": "a", "id": "2eb8aa08-aa98-11ea-b4aa-73b441d16380"}"#)))
    }

    @Test(arguments: [
        (#"{"patternProperties": {}}"#, SchemaError.Code.unsupportedKeyword),
        (#"{"format": "hostname"}"#, .unsupportedKeyword),
        (#"{"$ref": "other.json"}"#, .unsupportedKeyword),
        (##"{"$ref": "#/$defs/missing"}"##, .unresolvableReference),
        (#"{"minLength": -1}"#, .invalidKeywordValue),
        (#"{"type": "text"}"#, .invalidKeywordValue),
        (##"{"$schema": "http://json-schema.org/draft-07/schema#"}"##, .unsupportedKeyword),
    ])
    func unsupportedOrMalformedSchemasFailLoudly(_ text: String, _ code: SchemaError.Code) {
        let error = #expect(throws: SchemaError.self) { try JSONSchema(parsing: text) }
        #expect(error?.code == code)
    }
}

import BerrysJSON
import Foundation

/// Turns schema JSON into `SchemaNode`s, refusing anything outside the supported subset.
struct SchemaCompiler {
    /// Every compiled subschema by its JSON Pointer fragment (`#`, `#/$defs/name`, …), for `$ref`.
    private(set) var nodes: [String: SchemaNode] = [:]
    private(set) var references: [(ref: String, at: String)] = []
    let rootID: String?

    init(rootID: String?) {
        self.rootID = rootID
    }

    mutating func compile(_ json: JSON, at path: String) throws -> SchemaNode {
        let node: SchemaNode
        switch json {
        case .bool(let flag):
            node = SchemaNode(constant: flag)
        case .object(let members):
            node = SchemaNode(try compileKeywords(members, at: path))
        default:
            throw SchemaError(.invalidKeywordValue, at: path, "a schema must be an object or a boolean, not \(json.typeName)")
        }
        nodes[path] = node
        return node
    }

    private mutating func compileKeywords(_ members: [String: JSON], at path: String) throws -> SchemaParts {
        var parts = SchemaParts()
        for key in members.keys.sorted() {
            let value = members[key]!
            let here = JSONPointer.appending(path, key)
            if JSONSchema.isAnnotation(key) { continue }
            switch key {
            case "$schema":
                guard value.stringValue?.hasPrefix("https://json-schema.org/draft/2020-12/schema") == true else {
                    throw SchemaError(.unsupportedKeyword, at: here, "only draft 2020-12 schemas are supported, not \(value.serialized)")
                }
            case "$id":
                guard path == "#" else {
                    throw SchemaError(.unsupportedKeyword, at: here, "$id is only supported on the root schema")
                }
            case "$defs":
                guard let defs = value.objectValue else { throw invalid(here, "must be an object of schemas") }
                for (name, schema) in defs { _ = try compile(schema, at: JSONPointer.appending(here, name)) }
            case "$ref":
                guard let ref = value.stringValue else { throw invalid(here, "must be a string") }
                parts.ref = try localFragment(of: ref, at: here)
                references.append((parts.ref!, here))
            case "type": parts.types = try compileTypes(value, at: here)
            case "enum":
                guard let values = value.arrayValue else { throw invalid(here, "must be an array") }
                parts.enumValues = values
            case "const": parts.constValue = value
            case "properties":
                guard let properties = value.objectValue else { throw invalid(here, "must be an object of schemas") }
                for (name, schema) in properties {
                    parts.properties[name] = try compile(schema, at: JSONPointer.appending(here, name))
                }
            case "additionalProperties": parts.additionalProperties = try compile(value, at: here)
            case "required": parts.required = try stringArray(value, at: here)
            case "minProperties": parts.minProperties = try count(value, at: here)
            case "maxProperties": parts.maxProperties = try count(value, at: here)
            case "dependentRequired":
                guard let dependencies = value.objectValue else { throw invalid(here, "must be an object of string arrays") }
                for (name, list) in dependencies {
                    parts.dependentRequired[name] = try stringArray(list, at: JSONPointer.appending(here, name))
                }
            case "prefixItems": parts.prefixItems = try schemaArray(value, at: here)
            case "items": parts.items = try compile(value, at: here)
            case "minItems": parts.minItems = try count(value, at: here)
            case "maxItems": parts.maxItems = try count(value, at: here)
            case "uniqueItems":
                guard let flag = value.boolValue else { throw invalid(here, "must be a boolean") }
                parts.uniqueItems = flag
            case "minLength": parts.minLength = try count(value, at: here)
            case "maxLength": parts.maxLength = try count(value, at: here)
            case "pattern": parts.pattern = try compilePattern(value, at: here)
            case "format": parts.format = try compileFormat(value, at: here)
            case "minimum": parts.minimum = try number(value, at: here)
            case "maximum": parts.maximum = try number(value, at: here)
            case "exclusiveMinimum": parts.exclusiveMinimum = try number(value, at: here)
            case "exclusiveMaximum": parts.exclusiveMaximum = try number(value, at: here)
            case "multipleOf":
                let divisor = try number(value, at: here)
                guard divisor > 0 else { throw invalid(here, "must be greater than 0") }
                parts.multipleOf = divisor
            case "allOf": parts.allOf = try schemaArray(value, at: here, nonEmpty: true)
            case "anyOf": parts.anyOf = try schemaArray(value, at: here, nonEmpty: true)
            case "oneOf": parts.oneOf = try schemaArray(value, at: here, nonEmpty: true)
            case "not": parts.not = try compile(value, at: here)
            default:
                throw SchemaError(.unsupportedKeyword, at: here,
                                  "keyword '\(key)' is not supported (supported: \(JSONSchema.supportedKeywords.sorted().joined(separator: ", ")))")
            }
        }
        return parts
    }

    /// `#/…` stays; `<root $id>#/…` is reduced to `#/…`; anything else is refused.
    private func localFragment(of ref: String, at path: String) throws -> String {
        var reference = ref
        if let rootID, let base = rootID.split(separator: "#", omittingEmptySubsequences: false).first,
           !base.isEmpty, reference.hasPrefix(base) {
            reference = String(reference.dropFirst(base.count))
            if reference.isEmpty { reference = "#" }
        }
        guard reference == "#" || reference.hasPrefix("#/") else {
            throw SchemaError(.unsupportedKeyword, at: path,
                              "$ref '\(ref)' is not supported: only references inside this document ('#/…') are")
        }
        return JSONPointer.normalizedFragment(reference)
    }

    private func compileTypes(_ value: JSON, at path: String) throws -> JSONTypes {
        let names: [String]
        if let single = value.stringValue { names = [single] } else { names = try stringArray(value, at: path) }
        var types: JSONTypes = []
        for name in names {
            guard let type = JSONTypes(name: name) else {
                throw invalid(path, "unknown type '\(name)' (known: \(JSONTypes.all.names.joined(separator: ", ")))")
            }
            types.insert(type)
        }
        return types
    }

    private func compilePattern(_ value: JSON, at path: String) throws -> Pattern {
        guard let source = value.stringValue else { throw invalid(path, "must be a string") }
        do {
            return Pattern(source: source, expression: try NSRegularExpression(pattern: source))
        } catch {
            throw invalid(path, "'\(source)' is not a valid regular expression")
        }
    }

    private func compileFormat(_ value: JSON, at path: String) throws -> StringFormat {
        guard let name = value.stringValue else { throw invalid(path, "must be a string") }
        guard let format = StringFormat(rawValue: name) else {
            throw SchemaError(.unsupportedKeyword, at: path,
                              "format '\(name)' is not supported (supported: \(StringFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return format
    }

    private mutating func schemaArray(_ value: JSON, at path: String, nonEmpty: Bool = false) throws -> [SchemaNode] {
        guard let schemas = value.arrayValue, !(nonEmpty && schemas.isEmpty) else {
            throw invalid(path, nonEmpty ? "must be a non-empty array of schemas" : "must be an array of schemas")
        }
        return try schemas.enumerated().map { try compile($1, at: "\(path)/\($0)") }
    }

    private func stringArray(_ value: JSON, at path: String) throws -> [String] {
        guard let elements = value.arrayValue else { throw invalid(path, "must be an array of strings") }
        return try elements.map {
            guard let text = $0.stringValue else { throw invalid(path, "must be an array of strings") }
            return text
        }
    }

    private func count(_ value: JSON, at path: String) throws -> Int {
        guard let number = value.intValue, number >= 0 else { throw invalid(path, "must be a non-negative integer") }
        return number
    }

    private func number(_ value: JSON, at path: String) throws -> Double {
        guard let number = value.numberValue else { throw invalid(path, "must be a number") }
        return number
    }

    private func invalid(_ path: String, _ message: String) -> SchemaError {
        SchemaError(.invalidKeywordValue, at: path, message)
    }
}

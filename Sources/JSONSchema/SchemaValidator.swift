import BerrysJSON
import Foundation

/// Walks an instance against compiled schema nodes and collects failures.
struct SchemaValidator {
    let nodes: [String: SchemaNode]
    var errors: [ValidationError] = []
    private var referenceDepth = 0

    init(nodes: [String: SchemaNode]) {
        self.nodes = nodes
    }

    mutating func validate(_ instance: JSON, against node: SchemaNode, at path: String) {
        if let constant = node.constant {
            if !constant { fail(path, "false", "no value is allowed here") }
            return
        }
        if let ref = node.ref { validateReference(instance, ref: ref, at: path) }
        if let types = node.types, !matches(instance, types) {
            fail(path, "type", "expected \(types.sorted().joined(separator: " or ")), got \(instance.typeName)")
        }
        if let values = node.enumValues, !values.contains(instance) {
            fail(path, "enum", "must be one of \(values.map(\.serialized).joined(separator: ", "))")
        }
        if let value = node.constValue, value != instance {
            fail(path, "const", "must equal \(value.serialized)")
        }
        switch instance {
        case .object(let members): validateObject(members, node, at: path)
        case .array(let elements): validateArray(elements, node, at: path)
        case .string(let text): validateString(text, node, at: path)
        case .number(let number): validateNumber(number, node, at: path)
        case .null, .bool: break
        }
        validateCombinators(instance, node, at: path)
    }

    private mutating func validateReference(_ instance: JSON, ref: String, at path: String) {
        guard referenceDepth < 256, let target = nodes[ref] else {
            fail(path, "$ref", "schema recursion deeper than 256 references")
            return
        }
        referenceDepth += 1
        validate(instance, against: target, at: path)
        referenceDepth -= 1
    }

    private func matches(_ instance: JSON, _ types: Set<String>) -> Bool {
        let name = instance.typeName
        return types.contains(name) || (name == "integer" && types.contains("number"))
    }

    private mutating func validateObject(_ members: [String: JSON], _ node: SchemaNode, at path: String) {
        for name in node.required where members[name] == nil {
            fail(JSONPointer.appending(path, name), "required", "required property missing")
        }
        for (name, value) in members {
            let here = JSONPointer.appending(path, name)
            if let schema = node.properties[name] {
                validate(value, against: schema, at: here)
            } else if let additional = node.additionalProperties {
                if additional.constant == false {
                    fail(here, "additionalProperties", "property '\(name)' is not allowed")
                } else {
                    validate(value, against: additional, at: here)
                }
            }
        }
        if let minimum = node.minProperties, members.count < minimum {
            fail(path, "minProperties", "must have at least \(minimum) properties, has \(members.count)")
        }
        if let maximum = node.maxProperties, members.count > maximum {
            fail(path, "maxProperties", "must have at most \(maximum) properties, has \(members.count)")
        }
        for (name, needed) in node.dependentRequired where members[name] != nil {
            for other in needed where members[other] == nil {
                fail(JSONPointer.appending(path, other), "dependentRequired", "required when '\(name)' is present")
            }
        }
    }

    private mutating func validateArray(_ elements: [JSON], _ node: SchemaNode, at path: String) {
        for (index, element) in elements.enumerated() {
            if index < node.prefixItems.count {
                validate(element, against: node.prefixItems[index], at: "\(path)/\(index)")
            } else if let items = node.items {
                if items.constant == false {
                    fail("\(path)/\(index)", "items", "no item is allowed at index \(index)")
                } else {
                    validate(element, against: items, at: "\(path)/\(index)")
                }
            }
        }
        if let minimum = node.minItems, elements.count < minimum {
            fail(path, "minItems", "must have at least \(minimum) items, has \(elements.count)")
        }
        if let maximum = node.maxItems, elements.count > maximum {
            fail(path, "maxItems", "must have at most \(maximum) items, has \(elements.count)")
        }
        if node.uniqueItems, Set(elements).count != elements.count {
            fail(path, "uniqueItems", "items must be unique")
        }
    }

    private mutating func validateString(_ text: String, _ node: SchemaNode, at path: String) {
        if node.minLength != nil || node.maxLength != nil {
            let length = text.unicodeScalars.count
            if let minimum = node.minLength, length < minimum {
                fail(path, "minLength", "must be at least \(minimum) characters long, is \(length)")
            }
            if let maximum = node.maxLength, length > maximum {
                fail(path, "maxLength", "must be at most \(maximum) characters long, is \(length)")
            }
        }
        if let pattern = node.pattern, !pattern.matches(text) {
            fail(path, "pattern", "must match pattern \(pattern.source)")
        }
        if let format = node.format, !format.accepts(text) {
            fail(path, "format", "must be a valid \(format.rawValue)")
        }
    }

    private mutating func validateNumber(_ number: Double, _ node: SchemaNode, at path: String) {
        if let minimum = node.minimum, number < minimum { fail(path, "minimum", "must be >= \(JSON.number(minimum).serialized)") }
        if let maximum = node.maximum, number > maximum { fail(path, "maximum", "must be <= \(JSON.number(maximum).serialized)") }
        if let bound = node.exclusiveMinimum, number <= bound { fail(path, "exclusiveMinimum", "must be > \(JSON.number(bound).serialized)") }
        if let bound = node.exclusiveMaximum, number >= bound { fail(path, "exclusiveMaximum", "must be < \(JSON.number(bound).serialized)") }
        if let divisor = node.multipleOf, !Self.isMultiple(number, of: divisor) {
            fail(path, "multipleOf", "must be a multiple of \(JSON.number(divisor).serialized)")
        }
    }

    /// Exact decimal arithmetic on the numbers' shortest decimal forms, so 0.0075 is a
    /// multiple of 0.0001; a quotient too large to represent is not a whole number.
    static func isMultiple(_ number: Double, of divisor: Double) -> Bool {
        if number.rounded() == number, divisor.rounded() == divisor, abs(number) < 9e15, abs(divisor) < 9e15 {
            return Int64(number) % Int64(divisor) == 0
        }
        let quotient = number / divisor
        guard quotient.isFinite else { return false }
        guard let exactNumber = Decimal(string: String(number)), let exactDivisor = Decimal(string: String(divisor)) else {
            return quotient.rounded() == quotient
        }
        var exact = exactNumber / exactDivisor
        var whole = Decimal()
        NSDecimalRound(&whole, &exact, 0, .plain)
        return whole == exact
    }

    private mutating func validateCombinators(_ instance: JSON, _ node: SchemaNode, at path: String) {
        for schema in node.allOf { validate(instance, against: schema, at: path) }
        if !node.anyOf.isEmpty, !node.anyOf.contains(where: { passes(instance, $0, at: path) }) {
            fail(path, "anyOf", "must match at least one of the anyOf schemas")
        }
        if !node.oneOf.isEmpty {
            let matching = node.oneOf.filter { passes(instance, $0, at: path) }.count
            if matching != 1 { fail(path, "oneOf", "must match exactly one of the oneOf schemas, matches \(matching)") }
        }
        if let negated = node.not, passes(instance, negated, at: path) {
            fail(path, "not", "must not match the schema under 'not'")
        }
    }

    private mutating func passes(_ instance: JSON, _ node: SchemaNode, at path: String) -> Bool {
        let before = errors.count
        validate(instance, against: node, at: path)
        let passed = errors.count == before
        errors.removeSubrange(before...)
        return passed
    }

    private mutating func fail(_ path: String, _ keyword: String, _ message: String) {
        errors.append(ValidationError(instancePath: path, keyword: keyword, message: message))
    }
}

import BerrysJSON
import Foundation

/// Walks an instance against compiled schema nodes and collects failures.
struct SchemaValidator {
    let nodes: [String: SchemaNode]
    var errors: [ValidationError] = []
    private var referenceDepth = 0
    /// Where in the instance the walk is, as unescaped reference tokens; rendered as a JSON
    /// Pointer only when a failure is recorded (building it for every value is costly).
    private var tokens: [String] = []

    init(nodes: [String: SchemaNode]) {
        self.nodes = nodes
    }

    mutating func validate(_ instance: JSON, against node: SchemaNode) {
        if let constant = node.constant {
            if !constant { fail("false", "no value is allowed here") }
            return
        }
        if let ref = node.keywords.ref { validateReference(instance, ref: ref) }
        if let types = node.keywords.types, !types.accepts(instance) {
            fail("type", "expected \(types.names.joined(separator: " or ")), got \(instance.typeName)")
        }
        if let values = node.keywords.enumValues, !values.contains(instance) {
            fail("enum", "must be one of \(values.map(\.serialized).joined(separator: ", "))")
        }
        if let value = node.keywords.constValue, value != instance {
            fail("const", "must equal \(value.serialized)")
        }
        switch instance {
        case .object(let members): validateObject(members, node)
        case .array(let elements): validateArray(elements, node)
        case .string(let text): validateString(text, node)
        case .number(let number): validateNumber(number, node)
        case .null, .bool: break
        }
        validateCombinators(instance, node)
    }

    private mutating func validateReference(_ instance: JSON, ref: String) {
        guard referenceDepth < 256, let target = nodes[ref] else {
            fail("$ref", "schema recursion deeper than 256 references")
            return
        }
        referenceDepth += 1
        validate(instance, against: target)
        referenceDepth -= 1
    }

    private mutating func validateObject(_ members: [String: JSON], _ node: SchemaNode) {
        for name in node.keywords.required where members[name] == nil {
            fail(below: name, "required", "required property missing")
        }
        for (name, value) in members {
            if let schema = node.keywords.properties[name] {
                tokens.append(name)
                validate(value, against: schema)
                tokens.removeLast()
            } else if let additional = node.keywords.additionalProperties {
                if additional.constant == false {
                    fail(below: name, "additionalProperties", "property '\(name)' is not allowed")
                } else {
                    tokens.append(name)
                    validate(value, against: additional)
                    tokens.removeLast()
                }
            }
        }
        if let minimum = node.keywords.minProperties, members.count < minimum {
            fail("minProperties", "must have at least \(minimum) properties, has \(members.count)")
        }
        if let maximum = node.keywords.maxProperties, members.count > maximum {
            fail("maxProperties", "must have at most \(maximum) properties, has \(members.count)")
        }
        for (name, needed) in node.keywords.dependentRequired where members[name] != nil {
            for other in needed where members[other] == nil {
                fail(below: other, "dependentRequired", "required when '\(name)' is present")
            }
        }
    }

    private mutating func validateArray(_ elements: [JSON], _ node: SchemaNode) {
        for (index, element) in elements.enumerated() {
            if index < node.keywords.prefixItems.count {
                tokens.append(String(index))
                validate(element, against: node.keywords.prefixItems[index])
                tokens.removeLast()
            } else if let items = node.keywords.items {
                if items.constant == false {
                    fail(below: String(index), "items", "no item is allowed at index \(index)")
                } else {
                    tokens.append(String(index))
                    validate(element, against: items)
                    tokens.removeLast()
                }
            }
        }
        if let minimum = node.keywords.minItems, elements.count < minimum {
            fail("minItems", "must have at least \(minimum) items, has \(elements.count)")
        }
        if let maximum = node.keywords.maxItems, elements.count > maximum {
            fail("maxItems", "must have at most \(maximum) items, has \(elements.count)")
        }
        if node.keywords.uniqueItems, Set(elements).count != elements.count {
            fail("uniqueItems", "items must be unique")
        }
    }

    private mutating func validateString(_ text: String, _ node: SchemaNode) {
        if node.keywords.minLength != nil || node.keywords.maxLength != nil {
            let length = text.unicodeScalars.count
            if let minimum = node.keywords.minLength, length < minimum {
                fail("minLength", "must be at least \(minimum) characters long, is \(length)")
            }
            if let maximum = node.keywords.maxLength, length > maximum {
                fail("maxLength", "must be at most \(maximum) characters long, is \(length)")
            }
        }
        if let pattern = node.keywords.pattern, !pattern.matches(text) {
            fail("pattern", "must match pattern \(pattern.source)")
        }
        if let format = node.keywords.format, !format.accepts(text) {
            fail("format", "must be a valid \(format.rawValue)")
        }
    }

    private mutating func validateNumber(_ number: Double, _ node: SchemaNode) {
        if let minimum = node.keywords.minimum, number < minimum { fail("minimum", "must be >= \(JSON.number(minimum).serialized)") }
        if let maximum = node.keywords.maximum, number > maximum { fail("maximum", "must be <= \(JSON.number(maximum).serialized)") }
        if let bound = node.keywords.exclusiveMinimum, number <= bound { fail("exclusiveMinimum", "must be > \(JSON.number(bound).serialized)") }
        if let bound = node.keywords.exclusiveMaximum, number >= bound { fail("exclusiveMaximum", "must be < \(JSON.number(bound).serialized)") }
        if let divisor = node.keywords.multipleOf, !Self.isMultiple(number, of: divisor) {
            fail("multipleOf", "must be a multiple of \(JSON.number(divisor).serialized)")
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

    private mutating func validateCombinators(_ instance: JSON, _ node: SchemaNode) {
        for schema in node.keywords.allOf { validate(instance, against: schema) }
        if !node.keywords.anyOf.isEmpty, !node.keywords.anyOf.contains(where: { passes(instance, $0) }) {
            fail("anyOf", "must match at least one of the anyOf schemas")
        }
        if !node.keywords.oneOf.isEmpty {
            let matching = node.keywords.oneOf.filter { passes(instance, $0) }.count
            if matching != 1 { fail("oneOf", "must match exactly one of the oneOf schemas, matches \(matching)") }
        }
        if let negated = node.keywords.not, passes(instance, negated) {
            fail("not", "must not match the schema under 'not'")
        }
    }

    private mutating func passes(_ instance: JSON, _ node: SchemaNode) -> Bool {
        let before = errors.count
        validate(instance, against: node)
        let passed = errors.count == before
        errors.removeSubrange(before...)
        return passed
    }

    /// Records a failure at the current place, or at its member `below`.
    private mutating func fail(below token: String? = nil, _ keyword: String, _ message: String) {
        var pointer = tokens.reduce(into: "") { $0 += "/" + JSONPointer.escape($1) }
        if let token { pointer += "/" + JSONPointer.escape(token) }
        errors.append(ValidationError(instancePath: pointer, keyword: keyword, message: message))
    }
}

import BerrysJSON

/// Types, enums, consts, strings and numbers.
extension SchemaComparison {
    mutating func compareValues(_ o: [String: JSON], _ n: [String: JSON], at pointer: String) {
        // When the old schema lists its values, judge those values, not the declared types.
        if let values = o["const"].map({ [$0] }) ?? o["enum"]?.arrayValue {
            let refused = values.filter { !Self.accepts(n, $0) }
            if !refused.isEmpty {
                let rule: SchemaChange.Rule = n["const"] != nil && n["const"] != o["const"] ? .constChanged
                    : n["enum"] != nil && n["enum"] != o["enum"] ? .enumNarrowed : .typeNarrowed
                record(pointer + "/" + (rule == .constChanged ? "const" : rule == .enumNarrowed ? "enum" : "type"), rule,
                       "old values no longer accepted: " + refused.map(\.serialized).joined(separator: ", "),
                       fix: "keep accepting them, or declare an upcaster with a value map")
            } else if o["enum"] != n["enum"] || o["const"] != n["const"] || o["type"] != n["type"] {
                record(pointer, .enumWidened, "every old value is still accepted")
            }
            return
        }
        let oldTypes = Self.typeNames(o), newTypes = Self.typeNames(n)
        let lost = oldTypes.filter { !Self.typeAccepted($0, by: newTypes) }
        if !lost.isEmpty {
            record(pointer + "/type", .typeNarrowed, "type \(Self.listed(oldTypes)) → \(Self.listed(newTypes)); \(lost.joined(separator: ", ")) no longer accepted",
                   fix: "accept the old types too, or declare an upcaster that converts the values")
        } else if oldTypes != newTypes {
            record(pointer + "/type", .typeWidened, "type \(Self.listed(oldTypes)) → \(Self.listed(newTypes))")
        }
        if let constant = n["const"] {
            record(pointer + "/const", .constChanged, "const \(constant.serialized) added: any other value is refused",
                   fix: "drop the const, or declare an upcaster that sets it")
        } else if let values = n["enum"]?.arrayValue {
            record(pointer + "/enum", .enumNarrowed, "enum added: only \(values.map(\.serialized).joined(separator: ", ")) accepted",
                   fix: "drop the enum, or declare an upcaster with a value map")
        }
    }

    mutating func compareStrings(_ o: [String: JSON], _ n: [String: JSON], at pointer: String) {
        lowerBound("minLength", o, n, at: pointer)
        upperBound("maxLength", o, n, at: pointer)
        for keyword in ["pattern", "format"] where o[keyword] != n[keyword] {
            let here = pointer + "/" + keyword
            if let new = n[keyword] {
                let old = o[keyword].map { "\($0.serialized) → " } ?? "added "
                record(here, keyword == "pattern" ? .patternChanged : .formatChanged, "\(keyword) \(old)\(new.serialized)",
                       fix: "keep the old \(keyword), or declare an upcaster that makes old values match")
            } else {
                record(here, .constraintLoosened, "\(keyword) removed")
            }
        }
    }

    mutating func compareNumbers(_ o: [String: JSON], _ n: [String: JSON], at pointer: String) {
        let oldLow = Self.numberBound(o, "minimum", "exclusiveMinimum", tighter: >)
        let newLow = Self.numberBound(n, "minimum", "exclusiveMinimum", tighter: >)
        judge(pointer + "/minimum", "lower bound", old: oldLow, new: newLow) { new, old in
            new.value > old.value || (new.value == old.value && new.exclusive && !old.exclusive)
        }
        let oldHigh = Self.numberBound(o, "maximum", "exclusiveMaximum", tighter: <)
        let newHigh = Self.numberBound(n, "maximum", "exclusiveMaximum", tighter: <)
        judge(pointer + "/maximum", "upper bound", old: oldHigh, new: newHigh) { new, old in
            new.value < old.value || (new.value == old.value && new.exclusive && !old.exclusive)
        }
        if o["multipleOf"] != n["multipleOf"] {
            if let divisor = n["multipleOf"]?.numberValue {
                let quotient = (o["multipleOf"]?.numberValue ?? .nan) / divisor
                if !(quotient.isFinite && quotient.rounded() == quotient) {
                    record(pointer + "/multipleOf", .multipleOfChanged,
                           "multipleOf \(o["multipleOf"]?.serialized ?? "none") → \(divisor)", fix: "use a divisor of the old multipleOf")
                } else {
                    record(pointer + "/multipleOf", .constraintLoosened, "multipleOf \(o["multipleOf"]!.serialized) → \(divisor)")
                }
            } else {
                record(pointer + "/multipleOf", .constraintLoosened, "multipleOf removed")
            }
        }
    }

    struct NumberBound: Equatable {
        var value: Double
        var exclusive: Bool
    }

    private mutating func judge(_ pointer: String, _ name: String, old: NumberBound?, new: NumberBound?,
                                isTighter: (NumberBound, NumberBound) -> Bool) {
        guard old != new else { return }
        func text(_ bound: NumberBound?) -> String { bound.map { ($0.exclusive ? "exclusive " : "") + Self.number($0.value) } ?? "none" }
        if let new, old.map({ isTighter(new, $0) }) ?? true {
            record(pointer, .boundTightened, "\(name) \(text(old)) → \(text(new))", fix: "keep the old bound, or declare an upcaster that clamps old values")
        } else {
            record(pointer, .constraintLoosened, "\(name) \(text(old)) → \(text(new))")
        }
    }

    /// `minLength`, `minItems`, `minProperties`: a larger value refuses old instances.
    mutating func lowerBound(_ keyword: String, _ o: [String: JSON], _ n: [String: JSON], at pointer: String) {
        let old = o[keyword]?.numberValue ?? 0, new = n[keyword]?.numberValue ?? 0
        guard old != new else { return }
        if new > old {
            record(pointer + "/" + keyword, .boundTightened, "\(keyword) \(Self.number(old)) → \(Self.number(new))",
                   fix: "keep \(keyword) at \(Self.number(old)), or declare an upcaster")
        } else {
            record(pointer + "/" + keyword, .constraintLoosened, "\(keyword) \(Self.number(old)) → \(Self.number(new))")
        }
    }

    /// `maxLength`, `maxItems`, `maxProperties`: a smaller value refuses old instances.
    mutating func upperBound(_ keyword: String, _ o: [String: JSON], _ n: [String: JSON], at pointer: String) {
        let old = o[keyword]?.numberValue ?? .infinity, new = n[keyword]?.numberValue ?? .infinity
        guard old != new else { return }
        if new < old {
            record(pointer + "/" + keyword, .boundTightened, "\(keyword) \(Self.number(old)) → \(Self.number(new))",
                   fix: "keep \(keyword) at \(Self.number(old)), or declare an upcaster that shortens old values")
        } else {
            record(pointer + "/" + keyword, .constraintLoosened, "\(keyword) \(Self.number(old)) → \(Self.number(new))")
        }
    }

    static func numberBound(_ s: [String: JSON], _ inclusive: String, _ exclusive: String,
                            tighter: (Double, Double) -> Bool) -> NumberBound? {
        let a = s[inclusive]?.numberValue.map { NumberBound(value: $0, exclusive: false) }
        let b = s[exclusive]?.numberValue.map { NumberBound(value: $0, exclusive: true) }
        guard let a, let b else { return a ?? b }
        return tighter(b.value, a.value) || b.value == a.value ? b : a
    }

    static func number(_ value: Double) -> String {
        if value == .infinity { return "none" }
        return value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    static func typeNames(_ s: [String: JSON]) -> [String] {
        switch s["type"] {
        case .string(let name)?: return [name]
        case .array(let names)?: return names.compactMap(\.stringValue).sorted()
        default: return ["array", "boolean", "null", "number", "object", "string"]
        }
    }

    static func typeAccepted(_ type: String, by types: [String]) -> Bool {
        types.contains(type) || (type == "integer" && types.contains("number"))
    }

    static func listed(_ types: [String]) -> String { types.count == 6 ? "any" : types.joined(separator: "|") }

    /// True when `value` passes the new schema's `type`, `enum` and `const`.
    static func accepts(_ n: [String: JSON], _ value: JSON) -> Bool {
        if let constant = n["const"], constant != value { return false }
        if let values = n["enum"]?.arrayValue, !values.contains(value) { return false }
        guard n["type"] != nil else { return true }
        let types = JSONTypes(typeNames(n).compactMap { JSONTypes(name: $0) })
        return types.accepts(value)
    }
}

import BerrysJSON

/// Generates instances that are valid under a schema of the supported subset, from a seed:
/// the same seed gives the same instances. Used to prove upcasters and compatibility rules on
/// many events rather than on a few hand-written examples.
///
/// Each candidate is built from the keywords (optional properties half of the time, lengths
/// and numbers often at their bounds) and kept only when the validator accepts it, so what it
/// returns is always valid; `pattern`s it cannot sample are taken from the schema's `examples`.
public struct InstanceGenerator {
    let schema: JSONSchema
    var random: SeededRandom

    public init(schema: JSONSchema, seed: UInt64) {
        self.schema = schema
        self.random = SeededRandom(seed: seed)
    }

    /// Up to `count` valid instances, trying at most `count × 20` candidates.
    public mutating func instances(_ count: Int) -> [JSON] {
        var found: [JSON] = []
        var attempts = 0
        while found.count < count, attempts < count * 20 {
            attempts += 1
            if let candidate = value(for: schema.document, depth: 0), schema.isValid(candidate) { found.append(candidate) }
        }
        return found
    }

    mutating func value(for schema: JSON, depth: Int) -> JSON? {
        var members: [String: JSON]
        switch SchemaComparison.resolved(schema, in: self.schema.document) {
        case .bool(false): return nil
        case .object(let object): members = object
        default: members = [:]
        }
        guard depth < 8 else { return .null }
        members = merged(members)
        if let constant = members["const"] { return constant }
        if let values = members["enum"]?.arrayValue { return values.randomElement(using: &random) }
        if let examples = members["examples"]?.arrayValue, !examples.isEmpty, Int.random(in: 0..<4, using: &random) == 0 {
            return examples.randomElement(using: &random)
        }
        switch chooseType(members) {
        case "object": return object(members, depth: depth)
        case "array": return array(members, depth: depth)
        case "string": return string(members)
        case "integer": return number(members, integer: true)
        case "number": return number(members, integer: Bool.random(using: &random))
        case "boolean": return .bool(Bool.random(using: &random))
        default: return .null
        }
    }

    /// The keywords of `allOf`, and of one chosen `anyOf`/`oneOf` alternative, folded in.
    private mutating func merged(_ members: [String: JSON]) -> [String: JSON] {
        var result = members
        var parts = members["allOf"]?.arrayValue ?? []
        for keyword in ["anyOf", "oneOf"] {
            if let alternatives = members[keyword]?.arrayValue, let chosen = alternatives.randomElement(using: &random) { parts.append(chosen) }
            result.removeValue(forKey: keyword)
        }
        result.removeValue(forKey: "allOf")
        for part in parts {
            guard let extra = SchemaComparison.resolved(part, in: schema.document).objectValue else { continue }
            for (key, value) in merged(extra) {
                switch (key, result[key], value) {
                case ("properties", .object(let mine)?, .object(let theirs)):
                    result[key] = .object(mine.merging(theirs) { first, _ in first })
                case ("required", .array(let mine)?, .array(let theirs)):
                    result[key] = .array(Array(Set(mine + theirs)))
                case (_, nil, _):
                    result[key] = value
                default:
                    break
                }
            }
        }
        return result
    }

    private mutating func chooseType(_ members: [String: JSON]) -> String {
        if let name = members["type"]?.stringValue { return name }
        if let names = members["type"]?.arrayValue?.compactMap(\.stringValue), let name = names.randomElement(using: &random) { return name }
        let keys = Set(members.keys)
        if !keys.isDisjoint(with: ["properties", "required", "additionalProperties", "minProperties", "dependentRequired"]) { return "object" }
        if !keys.isDisjoint(with: ["items", "prefixItems", "minItems", "maxItems", "uniqueItems"]) { return "array" }
        if !keys.isDisjoint(with: ["minLength", "maxLength", "pattern", "format"]) { return "string" }
        if !keys.isDisjoint(with: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]) { return "number" }
        return ["string", "integer", "boolean", "null"].randomElement(using: &random)!
    }

    private mutating func object(_ members: [String: JSON], depth: Int) -> JSON {
        let properties = members["properties"]?.objectValue ?? [:]
        let required = Set((members["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        var object: [String: JSON] = [:]
        for name in properties.keys.sorted() where required.contains(name) || Bool.random(using: &random) {
            if let value = value(for: properties[name]!, depth: depth + 1) { object[name] = value }
        }
        for name in required.sorted() where object[name] == nil {
            object[name] = value(for: members["additionalProperties"] ?? .bool(true), depth: depth + 1)
        }
        let additional = members["additionalProperties"] ?? .bool(true)
        let wanted = max(members["minProperties"]?.intValue ?? 0, Int.random(in: 0..<4, using: &random) == 0 ? object.count + 1 : 0)
        var extra = 0
        while object.count < wanted, extra < 8, additional != .bool(false) {
            extra += 1
            if let value = value(for: additional, depth: depth + 1) { object["extra_\(extra)"] = value }
        }
        for (key, names) in members["dependentRequired"]?.objectValue ?? [:] where object[key] != nil {
            for name in (names.arrayValue ?? []).compactMap(\.stringValue) where object[name] == nil {
                object[name] = value(for: properties[name] ?? additional, depth: depth + 1)
            }
        }
        return .object(object)
    }

    private mutating func array(_ members: [String: JSON], depth: Int) -> JSON {
        let prefix = members["prefixItems"]?.arrayValue ?? []
        let items = members["items"] ?? .bool(true)
        let minimum = members["minItems"]?.intValue ?? 0
        let maximum = min(members["maxItems"]?.intValue ?? Int.max, minimum + 4)
        let count = Int.random(in: minimum...max(minimum, maximum), using: &random)
        var values: [JSON] = []
        for index in 0..<count {
            guard let value = value(for: index < prefix.count ? prefix[index] : items, depth: depth + 1) else { break }
            if members["uniqueItems"]?.boolValue == true, values.contains(value) { continue }
            values.append(value)
        }
        return .array(values)
    }

    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789-_.éü☃😀")

    private mutating func string(_ members: [String: JSON]) -> JSON {
        if let name = members["format"]?.stringValue, let format = StringFormat(rawValue: name) { return .string(formatted(format)) }
        if let pattern = members["pattern"]?.stringValue {
            guard let sampler = PatternSampler(pattern) else { return .string("") }
            return .string(sampler.sample(using: &random))
        }
        let minimum = members["minLength"]?.intValue ?? 0
        let maximum = min(members["maxLength"]?.intValue ?? Int.max, minimum + 24)
        let length = Bool.random(using: &random) ? (Bool.random(using: &random) ? minimum : maximum)
            : Int.random(in: minimum...max(minimum, maximum), using: &random)
        return .string(String((0..<length).map { _ in Self.alphabet.randomElement(using: &random)! }))
    }

    private mutating func formatted(_ format: StringFormat) -> String {
        func hex(_ count: Int) -> String { String((0..<count).map { _ in Array("0123456789abcdef").randomElement(using: &random)! }) }
        switch format {
        case .uuid: return "\(hex(8))-\(hex(4))-4\(hex(3))-a\(hex(3))-\(hex(12))"
        case .dateTime:
            let day = Int.random(in: 1...28, using: &random), hour = Int.random(in: 0...23, using: &random)
            return "2026-\(String(format2: Int.random(in: 1...12, using: &random)))-\(String(format2: day))T\(String(format2: hour)):07:09.\(Int.random(in: 100...999, using: &random))Z"
        case .email: return "user\(Int.random(in: 0...9999, using: &random))@example.com"
        case .uri: return "https://example.com/item/\(Int.random(in: 0...9999, using: &random))"
        }
    }

    private mutating func number(_ members: [String: JSON], integer: Bool) -> JSON {
        var low = members["minimum"]?.numberValue ?? -1_000_000, high = members["maximum"]?.numberValue ?? 1_000_000
        if let bound = members["exclusiveMinimum"]?.numberValue { low = max(low, integer ? bound.rounded(.down) + 1 : bound + 0.5) }
        if let bound = members["exclusiveMaximum"]?.numberValue { high = min(high, integer ? bound.rounded(.up) - 1 : bound - 0.5) }
        if members["maximum"] == nil, members["exclusiveMaximum"] == nil, low > -1_000_000 { high = low + 1_000_000 }
        if members["minimum"] == nil, members["exclusiveMinimum"] == nil, high < 1_000_000 { low = high - 1_000_000 }
        guard low <= high else { return .number(low) }
        if let step = members["multipleOf"]?.numberValue, step > 0 {
            let first = (low / step).rounded(.up), last = (high / step).rounded(.down)
            guard first <= last else { return .number(low) }
            return .number(step * (Bool.random(using: &random) ? first : Double.random(in: first...last, using: &random).rounded(.down)))
        }
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return .number(integer ? low.rounded(.up) : low)
        case 1: return .number(integer ? high.rounded(.down) : high)
        default:
            let value = Double.random(in: low...high, using: &random)
            return .number(integer ? value.rounded(.down) : value)
        }
    }
}

private extension String {
    init(format2 value: Int) {
        self = value < 10 ? "0\(value)" : String(value)
    }
}

extension JSON {
    /// JSON equality: strings compare code point by code point (not by Unicode canonical
    /// equivalence, as Swift's `String ==` would), numbers by value, objects without order.
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { $0 == value } ?? false }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let flag): hasher.combine(flag)
        case .number(let number): hasher.combine(number)
        case .string(let text): text.unicodeScalars.forEach { hasher.combine($0.value) }
        case .array(let elements): hasher.combine(elements)
        case .object(let members):
            hasher.combine(members.count)
            var combined = 0
            for (key, value) in members { combined ^= key.hashValue &+ 31 &* value.hashValue }
            hasher.combine(combined)
        }
    }
}

import BerrysJSON

/// The JSON types a `type` keyword allows, as a bit set (checked for every value validated).
struct JSONTypes: OptionSet, Sendable, Hashable {
    let rawValue: UInt8

    static let null = JSONTypes(rawValue: 1 << 0)
    static let boolean = JSONTypes(rawValue: 1 << 1)
    static let object = JSONTypes(rawValue: 1 << 2)
    static let array = JSONTypes(rawValue: 1 << 3)
    static let number = JSONTypes(rawValue: 1 << 4)
    static let string = JSONTypes(rawValue: 1 << 5)
    static let integer = JSONTypes(rawValue: 1 << 6)
    static let all: JSONTypes = [.null, .boolean, .object, .array, .number, .string, .integer]

    private static let named: [(String, JSONTypes)] = [
        ("array", .array), ("boolean", .boolean), ("integer", .integer), ("null", .null),
        ("number", .number), ("object", .object), ("string", .string),
    ]

    init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The type called `name` in a schema, or nil for an unknown name.
    init?(name: String) {
        guard let type = Self.named.first(where: { $0.0 == name })?.1 else { return nil }
        self = type
    }

    /// The names of the types in the set, sorted.
    var names: [String] { Self.named.filter { contains($0.1) }.map(\.0) }

    /// True when `instance` is of one of the types (an integer is also a number).
    func accepts(_ instance: JSON) -> Bool {
        switch instance {
        case .null: return contains(.null)
        case .bool: return contains(.boolean)
        case .object: return contains(.object)
        case .array: return contains(.array)
        case .string: return contains(.string)
        case .number(let number):
            if contains(.number) { return true }
            return contains(.integer) && number.isFinite && number.rounded() == number
        }
    }
}

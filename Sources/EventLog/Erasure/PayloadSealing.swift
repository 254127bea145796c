import BerrysJSON

/// Seals the personal fields of a payload, and opens every sealed field of a stored one.
///
/// Sealing follows the schema's `PersonalFields`; opening needs no schema: it finds every
/// string that is a `SealedField` and opens it at the pointer it was sealed at. So a payload is
/// opened before it is upcast (an upcaster may move a field; the seal is bound to where it was).
public enum PayloadSealing {
    /// `data` with every field at `fields` sealed by `sealer` for event `eventID`.
    public static func seal(_ data: JSON, fields: PersonalFields, sealer: some FieldSealing, eventID: String) throws -> JSON {
        var result = data
        for path in fields.paths {
            result = try transform(result, along: path[...], at: "") { value, pointer in
                if value == .null { return value }
                return .string(try sealer.seal(value, eventID: eventID, pointer: pointer).text)
            }
        }
        return result
    }

    /// What opening a payload gave: the payload, and the pointers of fields whose key is gone.
    public struct Opened: Sendable, Hashable {
        public var data: JSON
        /// Fields whose owner was erased: each reads `null`.
        public var erased: [String]
    }

    /// `data` with every sealed field opened; a field whose key `key(id)` no longer has
    /// (nil: erased) reads `null` and is listed in `erased`.
    /// - Throws: `SealingError` for a sealed field that does not parse or does not open.
    public static func open(_ data: JSON, eventID: String, key: (String) throws -> (any FieldSealing)?) throws -> Opened {
        var erased: [String] = []
        let opened = try openAll(data, at: "", eventID: eventID, key: key, erased: &erased)
        return Opened(data: opened, erased: erased)
    }

    private static func openAll(_ data: JSON, at pointer: String, eventID: String, key: (String) throws -> (any FieldSealing)?,
                                erased: inout [String]) throws -> JSON {
        switch data {
        case .string(let text) where SealedField.looksSealed(text):
            let sealed = try SealedField(parsing: text)
            guard let sealer = try key(sealed.keyID) else {
                erased.append(pointer)
                return .null
            }
            return try sealer.open(sealed, eventID: eventID, pointer: pointer)
        case .object(let members):
            var result: [String: JSON] = [:]
            for (name, value) in members {
                result[name] = try openAll(value, at: pointer + "/" + escape(name), eventID: eventID, key: key, erased: &erased)
            }
            return .object(result)
        case .array(let items):
            return .array(try items.enumerated().map { index, value in
                try openAll(value, at: pointer + "/\(index)", eventID: eventID, key: key, erased: &erased)
            })
        default:
            return data
        }
    }

    /// Applies `change` to every value on `path` (`*` = each item), with its concrete pointer.
    private static func transform(_ data: JSON, along path: ArraySlice<String>, at pointer: String,
                                  _ change: (JSON, String) throws -> JSON) throws -> JSON {
        guard let name = path.first else { return try change(data, pointer) }
        switch data {
        case .object(var members) where name != "*":
            guard let child = members[name] else { return data }
            members[name] = try transform(child, along: path.dropFirst(), at: pointer + "/" + escape(name), change)
            return .object(members)
        case .array(let items) where name == "*":
            return .array(try items.enumerated().map { index, item in
                try transform(item, along: path.dropFirst(), at: pointer + "/\(index)", change)
            })
        default:
            return data
        }
    }

    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

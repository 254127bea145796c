/// A Redis reply, copied out of hiredis into Swift values.
public enum RedisValue: Sendable, Hashable {
    /// A simple string reply such as `OK`.
    case status(String)
    /// An error reply; the connection stays usable.
    case error(String)
    /// An integer reply.
    case integer(Int64)
    /// A bulk string reply, byte for byte.
    case bulk([UInt8])
    /// An array reply.
    case array([RedisValue])
    /// The nil reply.
    case null
    /// Stream entries, for commands sent with a stream `RedisReplyShape`.
    case streamEntries([RedisStreamEntry])

    /// The value as UTF-8 text, for bulk and status replies.
    public var string: String? {
        switch self {
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        case .integer(let n): return String(n)
        default: return nil
        }
    }

    /// The value as an integer, for integer replies and bulk strings holding a decimal number.
    public var int: Int64? {
        switch self {
        case .integer(let n): return n
        case .bulk, .status: return string.flatMap { Int64($0) }
        default: return nil
        }
    }

    /// The message of an error reply.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }

    /// The elements of an array reply.
    public var array: [RedisValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    /// The bytes of a bulk reply.
    public var bytes: [UInt8]? {
        if case .bulk(let bytes) = self { return bytes }
        return nil
    }

    /// The stream entries of an XRANGE-shaped reply, copied directly or read from the generic
    /// array form (`[[id, [name, value, …]], …]`, nil entries skipped).
    public var entries: [RedisStreamEntry]? {
        switch self {
        case .streamEntries(let entries):
            return entries
        case .array(let items):
            return items.compactMap { item in
                guard let parts = item.array, parts.count == 2, let id = parts[0].string, let fields = parts[1].fieldPairs else { return nil }
                return RedisStreamEntry(id: id, fields: fields)
            }
        case .null:
            return []
        default:
            return nil
        }
    }

    /// True for the nil reply.
    public var isNull: Bool { self == .null }
}

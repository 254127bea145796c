/// One entry of a Redis stream: its id and its field/value pairs in stored order, as UTF-8 text.
public struct RedisStreamEntry: Sendable, Hashable {
    /// The entry id, e.g. `1700000000000-0`.
    public let id: String
    /// The fields as stored, names and values decoded as UTF-8 (invalid bytes repaired).
    public let fields: [(String, String)]

    /// Creates an entry.
    public init(id: String, fields: [(String, String)]) {
        self.id = id
        self.fields = fields
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.id == rhs.id && lhs.fields.elementsEqual(rhs.fields) { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        for (name, value) in fields {
            hasher.combine(name)
            hasher.combine(value)
        }
    }
}

/// How a command's reply is copied out of hiredis.
public enum RedisReplyShape: Sendable, Hashable {
    /// As a `RedisValue` tree (bulk strings as bytes).
    case value
    /// An XRANGE / XREVRANGE / XCLAIM reply straight into `RedisValue.streamEntries` (deleted
    /// entries, shown as nil, are skipped), without a tree of byte arrays in between.
    case streamEntries
    /// An XREAD / XREADGROUP reply: the first stream's entries as `RedisValue.streamEntries`
    /// (none on a timeout).
    case firstStreamEntries
    /// An EXEC reply: each queued command's reply copied in its own shape (`.null` when a
    /// watched key changed and the transaction was not run).
    indirect case transaction([RedisReplyShape])
}

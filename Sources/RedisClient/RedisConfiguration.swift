/// Where and how to connect to Redis.
public struct RedisConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var database: Int
    /// How long to wait for a connection.
    public var connectTimeout: Duration
    /// How long to wait for any reply before the connection is considered broken.
    public var commandTimeout: Duration

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
        database: Int = 0, connectTimeout: Duration = .seconds(2), commandTimeout: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    /// Parses `redis://[user:password@]host[:port][/db]`.
    /// - Throws: `RedisError` with code `.configuration` naming what is wrong.
    public init(url: String) throws {
        self.init()
        guard url.hasPrefix("redis://") else {
            throw RedisError(.configuration, "Redis URL '\(url)' must start with redis://")
        }
        var rest = Substring(url.dropFirst("redis://".count))
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = String(credentials[..<colon])
                username = user.isEmpty ? nil : user.removingPercentEncodingSafely
                password = String(credentials[credentials.index(after: colon)...]).removingPercentEncodingSafely
            } else {
                password = String(credentials).removingPercentEncodingSafely
            }
        }
        if let slash = rest.firstIndex(of: "/") {
            let db = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !db.isEmpty {
                guard let number = Int(db), number >= 0 else {
                    throw RedisError(.configuration, "Redis URL '\(url)': database '\(db)' must be a number >= 0")
                }
                database = number
            }
        }
        if let colon = rest.lastIndex(of: ":") {
            let portText = rest[rest.index(after: colon)...]
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw RedisError(.configuration, "Redis URL '\(url)': port '\(portText)' must be 1-65535")
            }
            port = number
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { throw RedisError(.configuration, "Redis URL '\(url)' has no host") }
        host = String(rest)
    }

    /// Parses `redis://[user:password@]host[:port][,host[:port]…][/db]`: the seed nodes of a
    /// Redis Cluster (or one node), sharing the credentials and database.
    /// - Throws: `RedisError` with code `.configuration` naming the node at fault.
    public static func seeds(url: String) throws -> [RedisConfiguration] {
        guard url.hasPrefix("redis://") else {
            throw RedisError(.configuration, "Redis URL '\(url)' must start with redis://")
        }
        var rest = Substring(url.dropFirst("redis://".count))
        var credentials = ""
        if let at = rest.lastIndex(of: "@") {
            credentials = String(rest[...at])
            rest = rest[rest.index(after: at)...]
        }
        var database = ""
        if let slash = rest.firstIndex(of: "/") {
            database = String(rest[slash...])
            rest = rest[..<slash]
        }
        return try rest.split(separator: ",", omittingEmptySubsequences: false).enumerated().map { index, node in
            guard !node.isEmpty else {
                throw RedisError(.configuration, "Redis URL '\(url)': node \(index + 1) of the list is empty")
            }
            return try RedisConfiguration(url: "redis://" + credentials + node + database)
        }
    }
}

extension String {
    /// Decodes %XX escapes; leaves the text alone when it is not valid percent-encoding.
    var removingPercentEncodingSafely: String {
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

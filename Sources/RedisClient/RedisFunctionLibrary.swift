/// A Redis Functions library that carries its version: loaded where missing or older, on the
/// one node or on every primary of a cluster (functions are not shared between shards; each
/// primary's replicas get them by replication).
public struct RedisFunctionLibrary: Sendable {
    /// The library's name, as in its `#!lua name=` line (for messages).
    public let name: String
    /// The version the source carries.
    public let version: String
    /// A read-only function of the library that returns its version.
    public let versionFunction: String
    /// The Lua source.
    public let source: String

    /// Describes a library.
    public init(name: String, version: String, versionFunction: String, source: String) {
        self.name = name
        self.version = version
        self.versionFunction = versionFunction
        self.source = source
    }

    /// Loads the library on every primary that lacks this version; returns the primaries it
    /// was loaded on. Idempotent, and safe when several processes do it at once (`REPLACE`).
    @discardableResult
    public func ensureLoaded(on redis: RedisPool) async throws -> [RedisNodeAddress] {
        try await redis.forEachPrimary { node, connection -> RedisNodeAddress? in
            let loaded = try? await connection.send("FCALL_RO", versionFunction, "0").string
            guard loaded != version else { return nil }
            do {
                try await connection.send("FUNCTION", "LOAD", "REPLACE", source)
            } catch let error as RedisError where error.code == .server && !error.isTransient {
                // Transient refusals (a node a failover just made a replica: READONLY) stay as
                // they are, so that callers retry once the map is refreshed.
                throw RedisError(.server, "cannot load the Redis function library \(name) v\(version) on \(node): \(error.message)")
            }
            return node
        }.compactMap { $0 }
    }

    /// True when `error` says a function is missing on the node that answered (a primary
    /// added to the cluster after start-up, or a node whose data was lost).
    public static func isMissingFunction(_ error: RedisError) -> Bool {
        error.code == .server && error.message.hasPrefix("ERR Function not found")
    }
}

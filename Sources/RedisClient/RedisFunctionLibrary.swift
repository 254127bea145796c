import BerrysFoundation
import Foundation

/// A Redis Functions library that carries its version: loaded where missing or different, on
/// the one node or on every primary of a cluster (functions are not shared between shards; each
/// primary's replicas get them by replication).
///
/// The version is a digest of the Lua text (FNV-1a 64), put in place of `__VERSION__` in it:
/// any change to the Lua loads the new library at the next start, with no version to bump.
public struct RedisFunctionLibrary: Sendable {
    /// The library's name, as in its `#!lua name=` line (for messages).
    public let name: String
    /// The version the source carries: the digest of its text.
    public let version: String
    /// A read-only function of the library that returns its version.
    public let versionFunction: String
    /// The Lua source.
    public let source: String

    /// A library from its Lua text, which starts with `#!lua name=<name>` and carries
    /// `__VERSION__` where its version function's answer goes.
    public init(name: String, versionFunction: String, lua: String) {
        precondition(lua.hasPrefix("#!lua name=\(name)\n") && lua.contains("__VERSION__"),
                     "the Lua of \(name) must start with '#!lua name=\(name)' and carry __VERSION__")
        self.name = name
        var digest = FNV1a64()
        digest.add(lua)
        self.version = digest.hex
        self.versionFunction = versionFunction
        self.source = lua.replacingOccurrences(of: "__VERSION__", with: version)
    }

    /// A library from `Lua/<file>.lua` resources of `bundle` (the module's `Bundle.module`),
    /// joined in order. A missing file is a broken build or install (the module's resource
    /// bundle belongs beside the binary), not a condition to run on.
    public init(name: String, versionFunction: String, luaFiles: [String], in bundle: Bundle) {
        let texts = luaFiles.map { file -> String in
            guard let url = bundle.url(forResource: file, withExtension: "lua", subdirectory: "Lua"),
                  let text = try? String(contentsOf: url, encoding: .utf8) else {
                preconditionFailure("Lua/\(file).lua is missing from the resources beside the binary (\(bundle.bundlePath))")
            }
            return text
        }
        self.init(name: name, versionFunction: versionFunction, lua: texts.joined(separator: "\n"))
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

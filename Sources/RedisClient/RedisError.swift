/// An error from the Redis client.
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is, which says whether the connection can be used again.
    public enum Code: String, Sendable, Hashable {
        /// The server answered with an error reply. The connection is still usable.
        case server = "REDIS_SERVER_ERROR"
        /// Reading or writing the socket failed. The connection is dropped and reconnected.
        case io = "REDIS_IO_ERROR"
        /// No connection could be made.
        case connect = "REDIS_CONNECT_FAILED"
        /// A Redis Cluster answered that the command belongs elsewhere or must wait (`MOVED`,
        /// `ASK`, `TRYAGAIN`, `CLUSTERDOWN`). The connection is usable; the pool follows it.
        case redirected = "REDIS_CLUSTER_REDIRECTED"
        /// A configuration value (such as the URL) is wrong.
        case configuration = "REDIS_BAD_CONFIGURATION"
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, in words a user can act on.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// True when the failure is about reaching the server, so a retry may succeed.
    public var isConnectionFailure: Bool { code == .io || code == .connect }

    /// True when the same command may succeed later: the server is unreachable, it answered
    /// that it is not ready (still loading its data, busy with a script, failing over), a
    /// cluster redirected it, or a write reached a node that a failover made a replica
    /// (`READONLY`; the slot map is refreshed before the next try).
    public var isTransient: Bool {
        isConnectionFailure || code == .redirected
            || (code == .server && ["LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN", "READONLY"].contains { message.hasPrefix($0) })
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// Where one Redis node listens.
public struct RedisNodeAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host name or IP address.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// Creates an address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// The address of a configuration.
    public init(_ configuration: RedisConfiguration) {
        self.init(host: configuration.host, port: configuration.port)
    }

    public var description: String { "\(host):\(port)" }
}

extension RedisConfiguration {
    /// This configuration (credentials, database, timeouts) for another node.
    public func pointing(at node: RedisNodeAddress) -> RedisConfiguration {
        var configuration = self
        configuration.host = node.host
        configuration.port = node.port
        return configuration
    }
}

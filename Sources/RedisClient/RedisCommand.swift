/// One Redis command as its binary-safe arguments, the command name first.
public struct RedisCommand: Sendable, Hashable {
    /// The arguments, byte for byte.
    public var arguments: [[UInt8]]
    /// How the reply is copied into Swift values (stream reads can skip the generic tree).
    public var replyShape: RedisReplyShape = .value

    /// Creates a command from binary arguments.
    public init(bytes arguments: [[UInt8]]) {
        self.arguments = arguments
    }

    /// Creates a command from text arguments, sent as UTF-8.
    public init(_ arguments: [String]) {
        self.arguments = arguments.map { Array($0.utf8) }
    }

    /// Creates a command from its name and text arguments.
    public init(_ name: String, _ arguments: String...) {
        self.init([name] + arguments)
    }

    /// The same command, its reply copied in `shape`.
    public func replying(as shape: RedisReplyShape) -> RedisCommand {
        var command = self
        command.replyShape = shape
        return command
    }

    /// The command name, for logs and errors.
    public var name: String {
        arguments.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}

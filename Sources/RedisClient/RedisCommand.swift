/// One Redis command as its binary-safe arguments, the command name first.
///
/// The arguments are kept back to back in one buffer (with their lengths), so that a command
/// of many arguments — an append's field/value pairs, an XACK of hundreds of ids — costs two
/// allocations instead of one per argument.
public struct RedisCommand: Sendable, Hashable {
    /// Every argument's bytes, back to back.
    private var storage: [UInt8] = []
    /// Each argument's length in `storage`, in order.
    private var lengths: [Int] = []
    /// How the reply is copied into Swift values (stream reads can skip the generic tree).
    public var replyShape: RedisReplyShape = .value

    /// Creates a command from binary arguments.
    public init(bytes arguments: [[UInt8]]) {
        storage.reserveCapacity(arguments.reduce(0) { $0 + $1.count })
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            storage.append(contentsOf: argument)
            lengths.append(argument.count)
        }
    }

    /// Creates a command from text arguments, sent as UTF-8.
    public init(_ arguments: [String]) {
        storage.reserveCapacity(arguments.reduce(0) { $0 + $1.utf8.count })
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            storage.append(contentsOf: argument.utf8)
            lengths.append(argument.utf8.count)
        }
    }

    /// Creates a command from its name and text arguments.
    public init(_ name: String, _ arguments: String...) {
        self.init([name] + arguments)
    }

    /// Adds an argument at the end, sent as UTF-8 (building a long command without an array of
    /// its arguments first: an append's XADD has about 24).
    public mutating func append(_ argument: String) {
        var argument = argument
        argument.withUTF8 { bytes in
            storage.append(contentsOf: bytes)
            lengths.append(bytes.count)
        }
    }

    /// Reserves room for `arguments` more arguments of `bytes` bytes in all.
    public mutating func reserveCapacity(arguments: Int, bytes: Int) {
        storage.reserveCapacity(storage.count + bytes)
        lengths.reserveCapacity(lengths.count + arguments)
    }

    /// The arguments, byte for byte.
    public var arguments: [[UInt8]] {
        var offset = 0
        return lengths.map { length in
            defer { offset += length }
            return Array(storage[offset..<offset + length])
        }
    }

    /// The same command, its reply copied in `shape`.
    public func replying(as shape: RedisReplyShape) -> RedisCommand {
        var command = self
        command.replyShape = shape
        return command
    }

    /// How many arguments the command has, its name included.
    var argumentCount: Int { lengths.count }

    /// Argument `index` (0 is the name), byte for byte; nil past the end.
    func argument(_ index: Int) -> ArraySlice<UInt8>? {
        guard index >= 0, index < lengths.count else { return nil }
        let offset = lengths[..<index].reduce(0, +)
        return storage[offset..<offset + lengths[index]]
    }

    /// The command name, for logs and errors.
    public var name: String {
        String(decoding: storage.prefix(lengths.first ?? 0), as: UTF8.self)
    }

    /// Appends the command in the Redis protocol (an array of bulk strings) to `buffer`.
    func encode(into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "*"))
        Self.appendDecimal(lengths.count, to: &buffer)
        var offset = 0
        for length in lengths {
            buffer.append(UInt8(ascii: "$"))
            Self.appendDecimal(length, to: &buffer)
            buffer.append(contentsOf: storage[offset..<offset + length])
            buffer.append(UInt8(ascii: "\r"))
            buffer.append(UInt8(ascii: "\n"))
            offset += length
        }
    }

    /// Appends `value` in decimal and CRLF.
    private static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { scratch in
            var rest = value
            var start = scratch.count
            repeat {
                start -= 1
                scratch[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            buffer.append(contentsOf: scratch[start...])
        }
        buffer.append(UInt8(ascii: "\r"))
        buffer.append(UInt8(ascii: "\n"))
    }
}

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

    /// The command name, for logs and errors.
    public var name: String {
        String(decoding: storage.prefix(lengths.first ?? 0), as: UTF8.self)
    }

    /// Lends hiredis an argc/argv/argvlen triple over the arguments' buffer.
    func withArgv<R>(_ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R) -> R {
        storage.withUnsafeBufferPointer { buffer in
            // An empty buffer may have no address; hiredis reads no byte of an empty argument.
            let base = UnsafeRawPointer(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(lengths.count)
            var offset = 0
            for length in lengths {
                pointers.append(base + offset)
                offset += length
            }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvlen in
                    body(Int32(lengths.count), argv.baseAddress!, argvlen.baseAddress!)
                }
            }
        }
    }
}

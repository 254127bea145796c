import CHiredis
import ClientSupport
import Foundation

/// One connection to Redis over hiredis, confined to its own thread.
///
/// Every blocking hiredis call runs on the connection's dedicated thread (its actor
/// executor). A broken connection is reconnected on the next command; replies are copied
/// into `RedisValue`s before hiredis frees them.
public actor RedisConnection {
    private let handle: HiredisHandle
    /// The configuration this connection uses.
    public let configuration: RedisConfiguration
    private var context: UnsafeMutablePointer<redisContext>? {
        get { handle.context }
        set { handle.context = newValue }
    }

    public nonisolated var unownedExecutor: UnownedSerialExecutor { handle.executor.asUnownedSerialExecutor() }

    /// Creates a connection; it connects on the first command.
    public init(configuration: RedisConfiguration) {
        self.configuration = configuration
        self.handle = HiredisHandle(executor: DedicatedThreadExecutor(name: "redis \(configuration.host):\(configuration.port)"))
    }

    /// True while a live socket is held.
    public var isConnected: Bool { context != nil }

    /// Sends one command and returns its reply.
    /// - Throws: `RedisError` `.server` for an error reply (the connection stays usable),
    ///   `.io`/`.connect` when the server could not be reached (the connection is dropped).
    @discardableResult
    public func send(_ command: RedisCommand) throws -> RedisValue {
        let reply = try sendReturningErrors(command)
        if case .error(let message) = reply { throw RedisError(.server, message) }
        return reply
    }

    /// Sends one command made of text arguments.
    @discardableResult
    public func send(_ arguments: String...) throws -> RedisValue {
        try send(RedisCommand(arguments))
    }

    /// Sends one command and returns its reply, error replies included as `.error` values.
    /// - Throws: `RedisError` `.io`/`.connect` only.
    public func sendReturningErrors(_ command: RedisCommand) throws -> RedisValue {
        let context = try connectedContext()
        let raw = command.withArgv { argc, argv, lengths in
            redisCommandArgv(context, argc, argv, lengths)
        }
        guard let raw else { throw dropConnection(during: command.name) }
        defer { freeReplyObject(raw) }
        return RedisValue(copying: raw.assumingMemoryBound(to: redisReply.self), shape: command.replyShape)
    }

    /// Sends many commands in one write and reads all their replies (pipelining).
    ///
    /// Error replies come back as `.error` values in their place; the others are unaffected.
    /// - Throws: `RedisError` `.io`/`.connect`; after an I/O error it is unknown which commands ran.
    public func pipeline(_ commands: [RedisCommand]) throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        let context = try connectedContext()
        for command in commands {
            let status = command.withArgv { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            guard status == REDIS_OK else { throw dropConnection(during: command.name) }
        }
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        for command in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
                throw dropConnection(during: command.name)
            }
            replies.append(RedisValue(copying: raw.assumingMemoryBound(to: redisReply.self), shape: command.replyShape))
            freeReplyObject(raw)
        }
        return replies
    }

    /// Changes how long a reply may take, e.g. for blocking reads; `nil` restores the configured value.
    public func setReplyTimeout(_ seconds: Double?) throws {
        let context = try connectedContext()
        _ = redisSetTimeout(context, timeval(seconds: seconds ?? configuration.commandTimeout))
    }

    /// Closes the socket; the next command reconnects.
    public func close() {
        if let context { redisFree(context) }
        context = nil
    }

    private func connectedContext() throws -> UnsafeMutablePointer<redisContext> {
        if let context { return context }
        let made = redisConnectWithTimeout(configuration.host, Int32(configuration.port),
                                           timeval(seconds: configuration.connectTimeout))
        guard let made else { throw RedisError(.connect, "cannot allocate a hiredis context") }
        if made.pointee.err != 0 {
            let reason = made.errorText
            redisFree(made)
            throw RedisError(.connect, "cannot connect to Redis at \(configuration.host):\(configuration.port): \(reason)")
        }
        _ = redisSetTimeout(made, timeval(seconds: configuration.commandTimeout))
        redisEnableKeepAlive(made)
        // Keep the reply buffer between replies: by default hiredis frees it whenever it is
        // empty and over 16 KiB, so every large stream read grows it again from scratch.
        made.pointee.reader.pointee.maxbuf = 0
        context = made
        do {
            try authenticateAndSelect()
        } catch {
            close()
            throw error
        }
        return made
    }

    private func authenticateAndSelect() throws {
        if let password = configuration.password {
            if let user = configuration.username {
                try send("AUTH", user, password)
            } else {
                try send("AUTH", password)
            }
        }
        if configuration.database != 0 {
            try send("SELECT", String(configuration.database))
        }
    }

    private func dropConnection(during commandName: String) -> RedisError {
        let reason = context?.errorText ?? "no connection"
        close()
        return RedisError(.io, "Redis \(commandName) failed on \(configuration.host):\(configuration.port): \(reason)")
    }
}

extension UnsafeMutablePointer where Pointee == redisContext {
    /// hiredis's `errstr`, as text.
    var errorText: String {
        withUnsafeBytes(of: pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return bytes.isEmpty ? "error \(pointee.err)" : String(decoding: bytes, as: UTF8.self)
        }
    }
}

extension timeval {
    init(seconds: Double) {
        let whole = Int(seconds)
        self.init(tv_sec: whole, tv_usec: Int((seconds - Double(whole)) * 1_000_000))
    }
}

/// Owns a connection's hiredis context and thread, and frees both when the connection goes away.
///
/// `@unchecked Sendable`: `context` is only read and written by the owning actor, on its
/// executor's thread; `deinit` runs after the last reference (the actor) is gone, so nothing
/// can use the context concurrently with `redisFree`.
final class HiredisHandle: @unchecked Sendable {
    let executor: DedicatedThreadExecutor
    var context: UnsafeMutablePointer<redisContext>?

    init(executor: DedicatedThreadExecutor) {
        self.executor = executor
    }

    deinit {
        if let context { redisFree(context) }
        executor.shutdown()
    }
}

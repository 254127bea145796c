import CHiredis
import CRedisReplies
import BerrysFoundation
import Foundation

/// One connection to Redis over hiredis, confined to its own thread.
///
/// Every blocking hiredis call runs on the connection's dedicated thread (its actor
/// executor). A broken connection is reconnected on the next command. Commands are written
/// in the Redis protocol from one buffer the connection keeps; hiredis reads the replies into
/// the connection's reply arena, and each is copied into a `RedisValue` before the arena is
/// reset for the next.
public actor RedisConnection {
    private let handle: HiredisHandle
    /// The configuration this connection uses now (a routed connection may move to another
    /// node when it reconnects).
    public private(set) var configuration: RedisConfiguration
    private let route: RedisRoute?
    private var context: UnsafeMutablePointer<redisContext>? { handle.context }

    public nonisolated var unownedExecutor: UnownedSerialExecutor { handle.executor.asUnownedSerialExecutor() }

    /// Creates a connection; it connects on the first command.
    public init(configuration: RedisConfiguration) {
        self.init(configuration: configuration, route: nil)
    }

    /// Creates a connection that reports cluster redirections to `route` and, when the route
    /// follows a slot, connects to the node serving that slot each time it (re)connects.
    init(configuration: RedisConfiguration, route: RedisRoute?) {
        self.configuration = configuration
        self.route = route
        self.handle = HiredisHandle(executor: DedicatedThreadExecutor(name: "hiredis :\(configuration.port)"))
    }

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
    /// - Throws: `RedisError` `.io`/`.connect`, and `.redirected` when a cluster sent the
    ///   command elsewhere (`MOVED`, `ASK`, `TRYAGAIN`, `CLUSTERDOWN`).
    public func sendReturningErrors(_ command: RedisCommand) throws -> RedisValue {
        try pipeline([command])[0]
    }

    /// Sends many commands in one write and reads all their replies (pipelining).
    ///
    /// Error replies come back as `.error` values in their place; the others are unaffected.
    /// - Throws: `RedisError` `.io`/`.connect`; after an I/O error it is unknown which commands
    ///   ran. `.redirected` when a cluster redirected any of them: the others may have run.
    public func pipeline(_ commands: [RedisCommand]) throws -> [RedisValue] {
        let replies = try pipelineKeepingRedirections(commands)
        if let redirected = replies.first(where: { $0.errorMessage.flatMap(ClusterRedirection.init(errorMessage:)) != nil }) {
            throw RedisError(.redirected, redirected.errorMessage ?? "")
        }
        return replies
    }

    /// `pipeline`, with redirection replies left in place (for the pool, which follows them
    /// command by command). Each is reported to the route first.
    func pipelineKeepingRedirections(_ commands: [RedisCommand]) throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        try write(commands)
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        var redirected = false
        for command in commands {
            let reply = try readReply(of: command)
            if case .error(let message) = reply {
                if let redirection = ClusterRedirection(errorMessage: message) {
                    route?.observe(redirection, RedisNodeAddress(configuration))
                    redirected = true
                } else if message.hasPrefix("READONLY") {
                    // A write reached a replica: the node was a primary in the map, and a
                    // failover made it a replica (a killed primary restarted). Refresh the map.
                    route?.lost(RedisNodeAddress(configuration))
                    redirected = true
                }
            }
            replies.append(reply)
        }
        // A connection that follows a slot finds the slot's new node when it reconnects.
        if redirected, route?.followsSlot == true { close() }
        return replies
    }

    /// Writes the commands to the socket, all of them, in one buffer.
    private func write(_ commands: [RedisCommand]) throws {
        let context = try connectedContext()
        handle.output.removeAll(keepingCapacity: true)
        for command in commands { command.encode(into: &handle.output) }
        let failure: Int32? = handle.output.withUnsafeBytes { bytes in
            var sent = 0
            while sent < bytes.count {
                let written = Glibc.send(context.pointee.fd, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                sent += written
            }
            return nil
        }
        // Large one-off commands do not keep their buffer for the connection's lifetime.
        if handle.output.capacity > 1 << 20 { handle.output = [] }
        if let failure {
            let reason = failure == EAGAIN ? "timed out writing" : String(cString: strerror(failure))
            throw dropConnection(during: commands[0].name, reason: reason)
        }
    }

    /// Reads the next reply, copies it and drops it from the arena.
    private func readReply(of command: RedisCommand) throws -> RedisValue {
        guard let context else { throw dropConnection(during: command.name) }
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw dropConnection(during: command.name) }
        defer { berrys_reply_arena_reset(handle.arena) }
        return RedisValue(copying: raw.assumingMemoryBound(to: redisReply.self), shape: command.replyShape)
    }

    /// Bytes the reply arena keeps now (0 when not connected).
    public var replyArenaCapacity: Int {
        handle.arena.map { Int(berrys_reply_arena_capacity($0)) } ?? 0
    }

    /// Changes how long a reply may take, e.g. for blocking reads; `nil` restores the configured value.
    public func setReplyTimeout(_ timeout: Duration?) throws {
        let context = try connectedContext()
        _ = redisSetTimeout(context, timeval(timeout ?? configuration.commandTimeout))
    }

    /// Closes the socket; the next command reconnects.
    public func close() {
        handle.close()
    }

    private func connectedContext() throws -> UnsafeMutablePointer<redisContext> {
        if let context { return context }
        if let route, route.followsSlot { configuration = configuration.pointing(at: route.node()) }
        let made = redisConnectWithTimeout(configuration.host, Int32(configuration.port),
                                           timeval(configuration.connectTimeout))
        guard let made, let arena = berrys_reply_arena_create() else {
            if let made { redisFree(made) }
            throw RedisError(.connect, "cannot allocate a hiredis context")
        }
        if made.pointee.err != 0 {
            let reason = made.errorText
            redisFree(made)
            berrys_reply_arena_free(arena)
            route?.lost(RedisNodeAddress(configuration))
            throw RedisError(.connect, "cannot connect to Redis at \(configuration.host):\(configuration.port): \(reason)")
        }
        _ = redisSetTimeout(made, timeval(configuration.commandTimeout))
        redisEnableKeepAlive(made)
        // Keep the reply buffer between replies: by default hiredis frees it whenever it is
        // empty and over 16 KiB, so every large stream read grows it again from scratch.
        made.pointee.reader.pointee.maxbuf = 0
        berrys_reply_arena_attach(arena, made.pointee.reader)
        handle.context = made
        handle.arena = arena
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

    private func dropConnection(during commandName: String, reason: String? = nil) -> RedisError {
        let reason = reason ?? context?.errorText ?? "no connection"
        close()
        route?.lost(RedisNodeAddress(configuration))
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
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}

/// Owns a connection's hiredis context and thread, and frees both when the connection goes away.
///
/// `@unchecked Sendable`: `context`, `arena` and `output` are only read and written by the
/// owning actor, on its executor's thread; `deinit` runs after the last reference (the actor)
/// is gone, so nothing can use them concurrently with freeing them.
final class HiredisHandle: @unchecked Sendable {
    let executor: DedicatedThreadExecutor
    var context: UnsafeMutablePointer<redisContext>?
    /// Where hiredis builds the replies of `context`; freed after it.
    var arena: OpaquePointer?
    /// The protocol bytes of the commands being written, kept between writes.
    var output: [UInt8] = []

    init(executor: DedicatedThreadExecutor) {
        self.executor = executor
    }

    /// Frees the hiredis context, then the arena its reader built replies in.
    func close() {
        if let context { redisFree(context) }
        if let arena { berrys_reply_arena_free(arena) }
        context = nil
        arena = nil
    }

    deinit {
        close()
        executor.shutdown()
    }
}

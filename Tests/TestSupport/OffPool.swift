import ProcessSupport
import BerrysFoundation
import Foundation

extension BackgroundProcess {
    /// Signals the process and waits for it to exit, off the cooperative pool.
    /// - Returns: its exit status (128 + signal when killed by one).
    public func stopped(signal: Int32) async -> Int32 {
        let process = self
        return await Blocking.run { process.stop(signal: signal) }
    }
}

extension TestServers {
    /// `runCapturing` off the cooperative pool.
    public static func runCapturingOffPool(_ program: String, _ arguments: [String], input: String? = nil,
                                           environment: [String: String]? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await Blocking.run { try runCapturing(program, arguments, input: input, environment: environment) }
    }
}

extension SpareRedisServer {
    /// Starts a new spare server, off the cooperative pool.
    public static func make() async throws -> SpareRedisServer { try await Blocking.run { try SpareRedisServer() } }
    /// Stops it, off the cooperative pool.
    public func stopOffPool() async { let server = self; await Blocking.run { server.stop() } }
    /// Starts it again, off the cooperative pool.
    public func startOffPool() async throws { let server = self; try await Blocking.run { try server.start() } }

    /// Runs `body` with a new spare server and stops the server afterwards, also when `body`
    /// throws; starting and stopping happen off the cooperative pool.
    public static func with<T>(_ body: (SpareRedisServer) async throws -> T) async throws -> T {
        let server = try await make()
        return try await doing({ try await body(server) }, finally: { await server.stopOffPool() })
    }
}

extension SparePostgresServer {
    /// Creates and starts a spare server, off the cooperative pool.
    public static func make() async throws -> SparePostgresServer { try await Blocking.run { try SparePostgresServer() } }
    public func stopOffPool() async { let server = self; await Blocking.run { server.stop() } }
    public func startOffPool() async throws { let server = self; try await Blocking.run { try server.start() } }
    public func destroyOffPool() async { let server = self; await Blocking.run { server.destroy() } }
}

extension TestServers {
    /// A TCP port on 127.0.0.1 that nothing listens on right now (see `FreePort`).
    public static func freePort() throws -> Int {
        guard let port = FreePort.pick() else { throw TestFailure("cannot bind a socket on 127.0.0.1 to pick a free port") }
        return port
    }
}

import BerrysFoundation
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Blocking work (waiting for a child process, initdb, sleeps) on a thread of its own, so that
/// the test process's cooperative threads — two on a 2-core machine — stay free for the async
/// tests running in parallel.
public enum Blocking {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }
}

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
}

extension SparePostgresServer {
    /// Creates and starts a spare server, off the cooperative pool.
    public static func make() async throws -> SparePostgresServer { try await Blocking.run { try SparePostgresServer() } }
    public func stopOffPool() async { let server = self; await Blocking.run { server.stop() } }
    public func startOffPool() async throws { let server = self; try await Blocking.run { try server.start() } }
    public func destroyOffPool() async { let server = self; await Blocking.run { server.destroy() } }
}

extension TestServers {
    /// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's choice for port 0),
    /// so that servers started by parallel tests do not collide as random ports can.
    public static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestFailure("socket() failed") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        guard bound == 0 else { throw TestFailure("bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard named == 0 else { throw TestFailure("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

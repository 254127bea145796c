import Foundation

/// A private redis-server for tests that stop and restart it (the shared one must stay up).
///
/// It runs daemonized and is stopped with `SHUTDOWN NOSAVE`: a child started from a test
/// thread may inherit a signal mask that blocks SIGTERM, so signals are not relied on.
public struct SpareRedisServer: Sendable {
    public let port: Int
    private let directory: String

    /// Starts a redis-server on a random loopback port in a temporary folder.
    public init() throws {
        port = (try? TestServers.freePort()) ?? Int.random(in: 20000...29999)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("berrys-redis-\(port)-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try start()
    }

    /// Starts (again) on the same port and waits until it answers.
    public func start() throws {
        try TestServers.run("redis-server", ["--bind", "127.0.0.1", "--port", String(port), "--save", "",
                                             "--appendonly", "no", "--dir", directory, "--daemonize", "yes",
                                             "--pidfile", "\(directory)/redis.pid", "--logfile", "\(directory)/redis.log"])
        if poll(until: answers) { return }
        throw TestFailure("spare redis-server on port \(port) did not start; see \(directory)/redis.log")
    }

    /// Stops the server and waits until it no longer answers.
    public func stop() {
        _ = try? TestServers.runCapturing("redis-cli", ["-p", String(port), "shutdown", "nosave"])
        _ = poll(until: { !answers() })
    }

    /// Asks `condition` every 25 ms for at most 5 s; whether it came true.
    private func poll(until condition: () -> Bool) -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.025)  // real time: a real server starting or stopping
        }
        return false
    }

    private func answers() -> Bool {
        (try? TestServers.runCapturing("redis-cli", ["-p", String(port), "ping"]))?.stdout.contains("PONG") == true
    }
}

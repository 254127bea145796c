import Foundation

/// A private PostgreSQL server for tests that stop and restart it (the shared one must stay up):
/// initdb in a temporary folder, run as the `postgres` user when the tests run as root.
public struct SparePostgresServer: Sendable {
    public let port: Int
    private let directory: String
    private let binaries: String
    private let asPostgres: Bool

    /// Creates and starts a server on a random loopback port, with a `berrys` superuser.
    public init() throws {
        port = (try? TestServers.freePort()) ?? Int.random(in: 30000...39999)
        directory = "/tmp/berrys-spare-pg-\(port)-\(UUID().uuidString.prefix(6))"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let newest = versions.compactMap(Int.init).max() else { throw TestFailure("PostgreSQL is not installed") }
        binaries = "/usr/lib/postgresql/\(newest)/bin"
        asPostgres = getuid() == 0
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if asPostgres { try TestServers.run("chown", ["postgres:postgres", directory]) }
        try run("initdb", ["-D", directory, "-U", "berrys", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        try start()
    }

    /// The server's database URL (database `postgres`).
    public var url: String { "postgres://berrys@127.0.0.1:\(port)/postgres" }

    /// Starts (again) and waits until it accepts connections.
    public func start() throws {
        try run("pg_ctl", ["-D", directory, "-l", "\(directory)/server.log", "-w", "-t", "60",
                           "-o", "-p \(port) -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", "start"])
    }

    /// Stops it (fast shutdown) and waits until it is down.
    public func stop() {
        _ = try? run("pg_ctl", ["-D", directory, "-w", "-m", "fast", "stop"])
    }

    /// Stops it and removes its folder.
    public func destroy() {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    @discardableResult
    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        let program = "\(binaries)/\(tool)"
        return asPostgres ? try TestServers.run("runuser", ["-u", "postgres", "--", program] + arguments)
                          : try TestServers.run(program, arguments)
    }
}

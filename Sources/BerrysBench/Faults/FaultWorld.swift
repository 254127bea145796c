import ProcessSupport
import ArgumentParser
import BerrysFoundation
import CommandSupport
import Foundation
import PostgresClient
import RedisClient
#if canImport(Glibc)
import Glibc
#endif

/// Where a fault run works: the servers it was given, the `berrys` binary it drives, and the
/// script that crashes and restarts those servers.
struct FaultServers: Sendable {
    let redisURL: String
    let databaseURL: String
    let berrys: String
    let serversScript: String
    let serversName: String
    let projectRoot: URL
    let logsFolder: URL

    /// Runs `local-servers COMMAND NAME` (crash-redis, crash-postgres).
    func control(_ command: String) async throws {
        let result = try await Blocking.run { try ChildProcess.run(serversScript, [command, serversName], input: nil, environment: nil) }
        guard result.status == 0 else { throw FaultRunError("\(serversScript) \(command) \(serversName) exited \(result.status): \(result.stderr)") }
    }
}

extension FaultServers {
    /// The servers of `context`, the project in the working directory (its logs in
    /// .local/faults/logs) and the `berrys` binary given or beside this one.
    static func here(context: Context, berrys: String?, serversScript: String = "scripts/local-servers",
                     serversName: String = "faults") throws -> FaultServers {
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let logs = root.appendingPathComponent(".local/faults/logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let binary = berrys ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("berrys").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw ValidationError("no berrys binary at \(binary); build it or pass --berrys") }
        return FaultServers(redisURL: context.settings.redisURL, databaseURL: context.settings.databaseURL, berrys: binary,
                            serversScript: serversScript, serversName: serversName, projectRoot: root, logsFolder: logs)
    }
}

/// One scenario's world: its own Redis namespace and database on the fault servers, the
/// environment every `berrys` process of the scenario gets, and the processes it started.
actor FaultWorld {
    let servers: FaultServers
    let scenario: String
    let namespace: String
    let databaseName: String
    let databaseURL: String
    let partitions = 4
    let logPath: String
    private var processes: [Int32: StartedProcess] = [:]
    private var started = 0
    private var extraDatabases: [String] = []

    struct StartedProcess: Sendable {
        let process: BackgroundProcess
        let role: Role
        let consumer: String
        let startedAt: Date
        /// The API's port (`run` only; 0 otherwise).
        var port = 0
    }

    /// The long-running commands a scenario starts, kills and restarts.
    enum Role: String, Sendable, CaseIterable {
        case run, worker, project
    }

    init(servers: FaultServers, scenario: String) {
        self.servers = servers
        self.scenario = scenario
        let suffix = UUID().uuidString.prefix(8).lowercased()
        namespace = "faults-\(scenario)-\(suffix)"
        databaseName = "berrys_faults_\(suffix)"
        databaseURL = Self.url(servers.databaseURL, database: databaseName)
        logPath = servers.logsFolder.appendingPathComponent("\(scenario)-\(suffix).log").path
    }

    /// `url` with its database replaced.
    static func url(_ url: String, database: String) -> String {
        String(url[..<url.lastIndex(of: "/")!]) + "/\(database)"
    }

    /// The environment of every process of this scenario (and of `port` for the API).
    func environment(databaseURL: String? = nil, port: Int = 0) -> [String: String] {
        ["BERRYS_REDIS_URL": servers.redisURL, "BERRYS_DATABASE_URL": databaseURL ?? self.databaseURL,
         "BERRYS_NAMESPACE": namespace, "BERRYS_PARTITIONS": "\(partitions)", "BERRYS_HTTP_PORT": "\(port)",
         "BERRYS_SCHEMAS_DIR": servers.projectRoot.appendingPathComponent("schemas").path,
         "BERRYS_PROJECTIONS_DIR": servers.projectRoot.appendingPathComponent("projections").path,
         "BERRYS_LOG_LEVEL": "notice"]
    }

    /// Creates the database (in `tablespace` when given) and the log (`berrys init`, `berrys migrate`).
    func create(tablespace: String? = nil) async throws {
        try await PostgresConnection(conninfo: servers.databaseURL).execute("CREATE DATABASE \(databaseName)" + (tablespace.map { " TABLESPACE \($0)" } ?? ""))
        try await berrys(["init"])
        try await berrys(["migrate"])
    }

    /// Runs a `berrys` command to its end; throws when it fails.
    @discardableResult
    func berrys(_ arguments: [String], databaseURL: String? = nil) async throws -> String {
        let program = servers.berrys, environment = environment(databaseURL: databaseURL)
        let result = try await Blocking.run { try ChildProcess.run(program, arguments, input: nil, environment: environment) }
        guard result.status == 0 else {
            throw FaultRunError("berrys \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr.suffix(2000))")
        }
        return result.stdout
    }

    /// The worker options every scenario uses: short leases and visibility timeouts, so that
    /// takeovers happen within seconds and a run stays short.
    static let workerOptions = ["--lease-seconds", "2", "--visibility-timeout", "3"]

    /// Remembers another database of the scenario, dropped with it.
    func addDatabase(_ name: String) { extraDatabases.append(name) }

    /// Starts a `berrys` command in the background (the caller stops it), output to the log.
    func startCommand(_ arguments: [String], databaseURL: String? = nil) throws -> BackgroundProcess {
        try BackgroundProcess.start(servers.berrys, arguments, environment: environment(databaseURL: databaseURL), logPath: logPath)
    }

    /// The processes running now.
    var running: [StartedProcess] { Array(processes.values) }

    /// Starts `role` in the background, its output appended to the scenario's log.
    func start(_ role: Role) throws -> StartedProcess {
        started += 1
        let consumer = "\(role.rawValue)-\(started)"
        var arguments = [role.rawValue]
        if role != .project { arguments += Self.workerOptions + ["--consumer", consumer] } else { arguments += ["--lease-seconds", "2"] }
        let port = role == .run ? try pickPort() : 0
        let process = try BackgroundProcess.start(servers.berrys, arguments, environment: environment(port: port), logPath: logPath)
        let entry = StartedProcess(process: process, role: role, consumer: consumer, startedAt: Date(), port: port)
        processes[process.pid] = entry
        return entry
    }

    /// Sends `signal` to a process and waits for it (at most `seconds`, then SIGKILL).
    /// - Returns: its exit status, or nil when it did not end in time (it was then killed).
    func stop(_ entry: StartedProcess, signal: Int32, within seconds: Double = 60) async -> Int32? {
        processes[entry.process.pid] = nil
        let process = entry.process
        return await Blocking.run {
            if let status = process.stop(signal: signal, within: seconds) { return status }
            process.stop(signal: SIGKILL)
            return nil
        }
    }

    /// Stops every process still running with SIGTERM.
    /// - Returns: the exit statuses that were not 0, with the role (nil status: did not end in time).
    func stopAll() async -> [(role: Role, status: Int32?)] {
        var failures: [(role: Role, status: Int32?)] = []
        for entry in processes.values {
            let status = await stop(entry, signal: SIGTERM)
            if status != 0 { failures.append((entry.role, status)) }
        }
        return failures
    }

    /// Kills what still runs, drops the database(s) and deletes the namespace's keys.
    func destroy(redis: RedisPool) async {
        for process in processes.values { process.process.stop(signal: SIGKILL) }
        processes = [:]
        let admin = PostgresConnection(conninfo: servers.databaseURL)
        for name in [databaseName] + extraDatabases { try? await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        try? await BenchKeys.delete(prefix: namespace, redis: redis)
    }
}

/// A failure of the fault runner itself (not a finding of the audit).
struct FaultRunError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A free loopback port for a `berrys run`'s API (see `FreePort`).
func pickPort() throws -> Int {
    guard let port = FreePort.pick() else { throw FaultRunError("cannot bind a socket on 127.0.0.1 to pick a free port") }
    return port
}

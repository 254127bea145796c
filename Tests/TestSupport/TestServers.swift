import ProcessSupport
import BerrysFoundation
import Foundation
import PostgresClient
import RedisClient

/// The real Redis and PostgreSQL servers the tests use, started once per test run.
///
/// `scripts/test` starts them and passes their URLs in `BERRYS_TEST_REDIS_URL` and
/// `BERRYS_TEST_DATABASE_URL`; a bare `swift test` starts them through the same script.
public enum TestServers {
    /// The project's root folder.
    public static let projectRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private static let urls: (redis: String, database: String) = {
        // Every test on the servers passes here first: the process's stall detector starts with them.
        TestStallLog.started
        let environment = ProcessInfo.processInfo.environment
        if let redis = environment["BERRYS_TEST_REDIS_URL"], let database = environment["BERRYS_TEST_DATABASE_URL"] {
            return (redis, database)
        }
        let output = try! run(projectRoot.appendingPathComponent("scripts/local-servers").path, ["up", "test"])
        var found: [String: String] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { found[String(pair[0])] = String(pair[1]) }
        }
        return (found["BERRYS_REDIS_URL"]!, found["BERRYS_DATABASE_URL"]!)
    }()

    /// The test Redis server's URL.
    public static var redisURL: String { urls.redis }
    /// The test PostgreSQL server's URL (database `berrys`).
    public static var databaseURL: String { urls.database }

    /// The test Redis Cluster's URL (3 primaries + 3 replicas): `BERRYS_TEST_CLUSTER_URL`, or
    /// started here once per run through `scripts/local-servers up test-cluster`.
    public static let clusterURL: String = {
        if let url = ProcessInfo.processInfo.environment["BERRYS_TEST_CLUSTER_URL"] { return url }
        let output = try! run(projectRoot.appendingPathComponent("scripts/local-servers").path, ["up", "test-cluster"])
        let line = output.split(separator: "\n").first { $0.hasPrefix("export BERRYS_REDIS_URL=") }!
        return String(line.dropFirst("export BERRYS_REDIS_URL=".count))
    }()

    /// The test cluster's seed nodes.
    public static var clusterSeeds: [RedisConfiguration] { try! RedisConfiguration.seeds(url: clusterURL) }

    /// Where the event-log, worker and projector suites that run twice get their Redis: the
    /// single test server, or the test cluster.
    public enum RedisDeployment: String, Sendable, CaseIterable, CustomStringConvertible {
        case single, cluster
        /// The seed nodes of this deployment.
        public var seeds: [RedisConfiguration] { self == .single ? [redisConfiguration] : clusterSeeds }
        public var description: String { rawValue }
    }

    /// The test Redis server's configuration.
    public static var redisConfiguration: RedisConfiguration { try! RedisConfiguration(url: redisURL) }

    /// A namespace no other test uses, for Redis keys.
    public static func uniqueNamespace(_ label: String = "t") -> String {
        "\(label)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Creates a new, empty database for one test and returns its URL.
    public static func freshDatabase() async throws -> String {
        let name = "t_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        let admin = PostgresConnection(conninfo: databaseURL)
        try await admin.execute("CREATE DATABASE \(name)")
        await admin.close()
        let base = databaseURL[..<databaseURL.lastIndex(of: "/")!]
        return "\(base)/\(name)"
    }

    /// Runs a program and returns its standard output.
    /// - Throws: when it exits non-zero, with its standard error.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String], input: String? = nil,
                           environment: [String: String]? = nil) throws -> String {
        let result = try runCapturing(program, arguments, input: input, environment: environment)
        guard result.status == 0 else {
            throw TestFailure("\(program) \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// Runs a program and returns its exit status, standard output and standard error.
    public static func runCapturing(_ program: String, _ arguments: [String], input: String? = nil,
                                    environment: [String: String]? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try ChildProcess.run(program, arguments, input: input, environment: environment)
    }
}

/// A failure inside test support code.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

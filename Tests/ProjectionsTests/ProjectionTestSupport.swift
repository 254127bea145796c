import BerrysDomain
import EventLog
import Foundation
import PostgresClient
@testable import Projections
import TestSupport
import Testing

/// A fresh database with the platform schema, and helpers to run the projector in tests.
struct ProjectionHarness {
    let log: EventLog
    let pool: PostgresPool
    let url: String

    static func make(partitions: Int = 4, on deployment: TestServers.RedisDeployment = .single) async throws -> ProjectionHarness {
        let url = try await TestServers.freshDatabase()
        let pool = PostgresPool(conninfo: url, size: 12)
        _ = try await pool.withConnection { try await Migrations.run(on: $0) }
        return ProjectionHarness(log: try await TestLog.open(partitions: partitions, on: deployment), pool: pool, url: url)
    }

    /// Writes a projection folder into a temporary directory and loads it.
    static func definition(name: String, version: Int = 1, handles: [String: String], schema: String, batchSize: Int = 500) throws -> ProjectionDefinition {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proj-\(UUID().uuidString)").appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("handlers"), withIntermediateDirectories: true)
        let types = handles.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
        try #"{"name": "\#(name)", "version": \#(version), "description": "test", "handles": [\#(types)], "options": {"batch_size": \#(batchSize)}}"#
            .write(to: folder.appendingPathComponent("projection.json"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("schema.sql"), atomically: true, encoding: .utf8)
        for (type, sql) in handles {
            let file = type == "*" ? "all" : type
            try sql.write(to: folder.appendingPathComponent("handlers/\(file).sql"), atomically: true, encoding: .utf8)
        }
        return try ProjectionDefinition.load(from: folder)
    }

    /// One of the repository's projections.
    static func projection(_ name: String) throws -> ProjectionDefinition {
        try ProjectionDefinition.load(from: TestServers.projectRoot.appendingPathComponent("projections/\(name)"),
                                      knownTypes: Set(TestLog.registry.types), referenceData: TransitionsSQL.referenceData)
    }

    /// The Berrys read models: every projection of the repository but the archive.
    static var berrys: [ProjectionDefinition] {
        get throws {
            try ProjectionDefinition.loadAll(from: TestServers.projectRoot.appendingPathComponent("projections"), knownTypes: Set(TestLog.registry.types),
                                             referenceData: TransitionsSQL.referenceData).filter { $0.name != "archive" }
        }
    }

    /// The former `platform` projection, as deployments before the split have it live
    /// (Tests/Fixtures/platform-v1): what the read models replace.
    static var formerPlatform: ProjectionDefinition {
        get throws {
            try ProjectionDefinition.load(from: TestServers.projectRoot.appendingPathComponent("Tests/Fixtures/platform-v1"),
                                          knownTypes: Set(TestLog.registry.types), referenceData: TransitionsSQL.referenceData)
        }
    }

    /// Builds each definition again as its next version and records an issue for every table
    /// that differs from the live version's.
    func expectRebuildsEqualLive(_ definitions: [ProjectionDefinition], batchSize: Int = 7, source: (any EventSource)? = nil) async throws {
        for live in definitions {
            var rebuilt = live
            rebuilt.version += 1
            rebuilt.checksum += "-rebuilt"
            try await ProjectionBuilder(log: log, pool: pool, definition: rebuilt, batchSize: batchSize, source: source).run()
            let tables = try await pool.query("SELECT tablename FROM pg_tables WHERE schemaname = $1", [live.schemaName]).values.compactMap { $0[0] }
            #expect(!tables.isEmpty)
            for table in tables {
                let difference = try await pool.query("""
                    SELECT count(*) FROM ((SELECT * FROM \(live.schemaName).\(table) EXCEPT SELECT * FROM \(rebuilt.schemaName).\(table))
                    UNION ALL (SELECT * FROM \(rebuilt.schemaName).\(table) EXCEPT SELECT * FROM \(live.schemaName).\(table))) d
                    """).scalar
                #expect(difference == "0", "\(live.name).\(table) differs between the live build and the rebuild")
            }
        }
    }

    /// The repository's archive projection.
    static var archive: ProjectionDefinition {
        get throws { try ProjectionDefinition.load(from: TestServers.projectRoot.appendingPathComponent("projections/archive")) }
    }

    /// Runs the projector until every live version's checkpoints reach the head of the log
    /// (a faulted one stops counting), then stops it.
    func project(_ definitions: [ProjectionDefinition], timeout: Double = 60) async throws {
        let projector = Projector(log: log, pool: pool, definitions: definitions)
        let outcome = Outcome()
        let task = Task {
            do { try await projector.run() } catch { await outcome.fail(error) }
        }
        defer { task.cancel() }
        let catalog = ProjectionCatalog(pool: pool)
        try await eventually("the projector at the head of the log (or faulted)", timeout: timeout, every: .milliseconds(50)) {
            if let failure = await outcome.error { throw failure }
            for definition in definitions where try await catalog.state(of: definition) == nil { return false }  // not registered yet
            // The versions the projector runs: live ones, those being replaced included.
            let live = try await catalog.liveVersions(names: definitions.map(\.name) + definitions.flatMap(\.replaces))
            for definition in live {
                let checkpoints = try await catalog.checkpoints(definition)
                for partition in 0..<log.partitioner.partitions where (checkpoints[partition] ?? .zero) < (try await log.lastStreamID(partition: partition)) {
                    return false
                }
            }
            return true
        }
        task.cancel()
        _ = await task.result
    }
}

/// The error a background task ended with, if any.
actor Outcome {
    private(set) var error: (any Error)?
    func fail(_ error: any Error) { self.error = error }
}

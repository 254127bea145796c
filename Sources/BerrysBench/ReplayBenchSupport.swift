import CommandSupport
import BerrysDomain
import BerrysJSON
import EventLog
import Foundation
import PostgresClient
import Projections
import RedisClient

/// Throw-away databases on the configured server.
actor BenchDatabases {
    let adminURL: String
    private var names: [String] = []

    init(adminURL: String) {
        self.adminURL = adminURL
    }

    func make() async throws -> PostgresPool {
        let name = "berrys_bench_\(UUID().uuidString.prefix(8).lowercased())"
        try await PostgresConnection(conninfo: adminURL).execute("CREATE DATABASE \(name)")
        names.append(name)
        let url = String(adminURL[..<adminURL.lastIndex(of: "/")!]) + "/\(name)"
        let pool = PostgresPool(conninfo: url, size: 12)
        _ = try await pool.withConnection { try await Migrations.run(on: $0) }
        return pool
    }

    func dropAll() async throws {
        let admin = PostgresConnection(conninfo: adminURL)
        for name in names { try await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        names.removeAll()
    }
}

extension BenchDatabases {
    /// Runs `body`, then drops the databases it made and the namespace's Redis keys, also when
    /// it throws (then the cleanup's own errors give way to the body's).
    func cleaningUp<T: Sendable>(namespace: String, redis: RedisPool, _ body: () async throws -> T) async throws -> T {
        let result: T
        do {
            result = try await body()
        } catch {
            try? await dropAll()
            try? await BenchKeys.delete(prefix: namespace, redis: redis)
            throw error
        }
        try await dropAll()
        try await BenchKeys.delete(prefix: namespace, redis: redis)
        return result
    }
}

/// COPY of the archive's rows into an identical table: the limit a rebuild is measured against.
enum RawCopy {
    /// Seconds the COPY itself took (preparing its input is not counted).
    static func measure(pool: PostgresPool, from schema: String) async throws -> Double {
        try await pool.withConnection { connection in
            try await connection.execute("CREATE TABLE raw_events (LIKE \(schema).events INCLUDING ALL)")
            let rows = try await connection.query("""
                SELECT partition, stream_id, id, type, dataversion, subject, sequence, partitionkey, time, source,
                       correlationid, causationid, data, stream_ms, stream_seq FROM \(schema).events
                """)
            var text = ""
            text.reserveCapacity(rows.values.count * 400)
            for row in rows.values {
                text += row.map { $0.map(escape) ?? "\\N" }.joined(separator: "\t")
                text += "\n"
            }
            let bytes = Array(text.utf8)
            let started = DispatchTime.now().uptimeNanoseconds
            _ = try await connection.copyIn("COPY raw_events FROM STDIN", data: bytes)
            return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        }
    }

    /// COPY text format escaping.
    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.append(character)
            }
        }
        return out
    }
}

/// Runs the live projector from position 0 until it has caught up with the log.
enum LiveCatchUp {
    static func run(log: EventLog, pool: PostgresPool, definitions: [ProjectionDefinition]) async throws {
        let projector = Task { try await Projector(log: log, pool: pool, definitions: definitions).run() }
        defer { projector.cancel() }
        let catalog = ProjectionCatalog(pool: pool)
        var heads: [Int: StreamID] = [:]
        for partition in 0..<log.partitioner.partitions { heads[partition] = try await log.lastStreamID(partition: partition) }
        while true {
            try await Task.sleep(nanoseconds: 20_000_000)
            var done = true
            for definition in definitions {
                let checkpoints = try await catalog.checkpoints(definition)
                for (partition, head) in heads where (checkpoints[partition] ?? .zero) < head { done = false }
            }
            if done { break }
        }
        projector.cancel()
        _ = await projector.result
    }
}

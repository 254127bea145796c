import ProcessSupport
import BerrysFoundation
import EventLog
import Foundation
import PostgresClient
import RedisClient
import TestSupport
import Testing

/// `berrys run` (API, projector, workers) on a Redis Cluster of a test's own, an in-process
/// publisher, and the audit the live-cluster tests share.
struct LiveClusterSystem {
    static let binary = TestServers.projectRoot.appendingPathComponent(".build/debug/berrys").path
    static let partitions = 8

    let seeds: [RedisConfiguration]
    let environment: [String: String]
    let database: String
    let redis: RedisPool
    /// The publisher's log (its own durability).
    let log: EventLog
    let run: BackgroundProcess
    let runLog: String

    /// Counts the publisher's rounds, so a fault can come while it is busy.
    actor Progress {
        private(set) var rounds = 0
        func advance() { rounds += 1 }
    }

    /// What the publisher was told.
    struct Published {
        var acknowledged: [AppendResult] = []
        /// Refusals, as text (with `replicated`: not confirmed, stored or not).
        var refused: [String] = []
    }

    /// Initialises a log on the cluster at `url` and starts `berrys run` on it.
    static func start(url: String, label: String, durability: Durability = .local) async throws -> LiveClusterSystem {
        let seeds = try RedisConfiguration.seeds(url: url)
        let database = try await TestServers.freshDatabase()
        let namespace = TestServers.uniqueNamespace(label)
        let environment = ["BERRYS_REDIS_URL": url, "BERRYS_DATABASE_URL": database, "BERRYS_NAMESPACE": namespace,
                           "BERRYS_PARTITIONS": String(partitions), "BERRYS_HTTP_PORT": String(try TestServers.freePort()),
                           "BERRYS_SCHEMAS_DIR": TestServers.projectRoot.appendingPathComponent("schemas").path,
                           "BERRYS_PROJECTIONS_DIR": TestServers.projectRoot.appendingPathComponent("projections").path]
        let initialised = try await TestServers.runCapturingOffPool(binary, ["init"], environment: environment)
        guard initialised.status == 0 else { throw TestFailure("berrys init exited \(initialised.status): \(initialised.stderr)") }
        let runLog = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString).log").path
        let run = try BackgroundProcess.start(binary, ["run", "--lease-seconds", "2"], environment: environment, logPath: runLog)
        let redis = RedisPool(seeds: seeds, size: 4)
        let configuration = EventLogConfiguration(namespace: namespace, partitions: partitions, unavailableRetry: .seconds(60),
                                                  durability: durability)
        return LiveClusterSystem(seeds: seeds, environment: environment, database: database, redis: redis,
                                 log: try await TestLog.open(configuration, on: redis), run: run, runLog: runLog)
    }

    /// The end of `berrys run`'s output, for messages.
    var output: String { (try? String(contentsOfFile: runLog, encoding: .utf8)).map { String($0.suffix(4000)) } ?? "" }

    /// Publishes `rounds` rounds of 20 projects, each created then moved from DRAFT to PLANNING
    /// (two events of one subject, so in one partition's transaction), as batches over all partitions.
    func publish(rounds: Int, progress: Progress) async throws -> Published {
        var published = Published()
        for _ in 0..<rounds {
            let batch = try (0..<20).flatMap { _ in try projectLifecycle() }
            for result in try await log.appendBatch(batch) {
                switch result {
                case .success(let appended): published.acknowledged.append(appended)
                case .failure(let error): published.refused.append("\(error)")
                }
            }
            await progress.advance()
        }
        return published
    }

    /// Publishes `rounds` rounds of 5 projects, each project's two events as one atomic set
    /// (`EventLog.appendAtomically`), the five side by side.
    func publishAtomically(rounds: Int, progress: Progress) async throws -> Published {
        var published = Published()
        for _ in 0..<rounds {
            let outcomes = try await withThrowingTaskGroup(of: Result<[AppendResult], EventLogError>.self) { group in
                for _ in 0..<5 {
                    let set = try projectLifecycle()
                    group.addTask {
                        do {
                            return .success(try await log.appendAtomically([(set[0], .none), (set[1], .exactly(1))]))
                        } catch let error as EventLogError {
                            return .failure(error)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for outcome in outcomes {
                switch outcome {
                case .success(let results): published.acknowledged += results
                case .failure(let error): published.refused.append("\(error)")
                }
            }
            await progress.advance()
        }
        return published
    }

    private func projectLifecycle() throws -> [EventEnvelope] {
        let project = UUID().uuidString.lowercased()
        return [
            try log.prepare(EventDraft(type: "project.created", data: .object(["project_id": .string(project), "name": .string("P")]))),
            try log.prepare(EventDraft(type: "project.status_changed", data: .object([
                "project_id": .string(project), "previous_status": .string("DRAFT"), "new_status": .string("PLANNING")]))),
        ]
    }

    /// Every event of the log.
    func stored() async throws -> [EventEnvelope] {
        var stored: [EventEnvelope] = []
        for partition in 0..<Self.partitions {
            var after = StreamID.zero
            while true {
                let page = try await log.read(partition: partition, after: after, count: 1000, upcast: false)
                guard let last = page.last?.position?.streamID else { break }
                stored += page
                after = last
            }
        }
        return stored
    }

    /// Every acknowledged event is stored, none twice; each project's sequences are 1, 2; the
    /// archive holds exactly the log, the platform read model what one node gives (every project
    /// PLANNING at version 2, nothing rejected); no worker group has anything pending or
    /// lagging, nothing is dead-lettered.
    func audit(_ published: Published) async throws {
        let stored = try await stored()
        let ids = Set(stored.map(\.id))
        #expect(ids.count == stored.count, "\(stored.count - ids.count) events stored twice")
        let lost = published.acknowledged.filter { !ids.contains($0.id) }
        #expect(lost.isEmpty, "\(lost.count) acknowledged events lost, e.g. \(lost.prefix(3).map(\.id))")
        let sequences = Dictionary(grouping: stored, by: \.subject).mapValues { $0.map { $0.sequence ?? 0 }.sorted() }
        #expect(sequences.values.allSatisfy { $0 == [1, 2] }, "a project's sequences are not 1, 2")

        let pool = PostgresPool(conninfo: database, size: 1)
        try await eventually("every stored event projected", timeout: 60, every: .milliseconds(100)) {
            (try? await pool.query("SELECT count(*) FROM read.events").scalar) == String(stored.count)
        }
        #expect(try await pool.query("SELECT count(DISTINCT id) FROM read.events").scalar == String(stored.count))
        #expect(try await pool.query("""
            SELECT count(*) FILTER (WHERE status = 'PLANNING' AND version = 2), count(*), (SELECT count(*) FROM read.rejected_events)
            FROM read.projects
            """).values == [[String(sequences.count), String(sequences.count), "0"]])
        var status = ""
        try await eventually("the workers caught up", timeout: 60, every: .milliseconds(200)) {
            status = try await TestServers.runCapturingOffPool(Self.binary, ["status"], environment: environment).stdout
            let rows = status.split(separator: "\n").drop { !$0.hasPrefix("WORKER") }.dropFirst().map { $0.split(separator: "\t") }
            return !rows.isEmpty && rows.allSatisfy { $0.count >= 7 && $0[2] == "0" && $0[3] == "0" && $0[6] == "0" }
        }
    }

    /// Stops `berrys run` with SIGTERM; its exit status.
    func stop() async -> Int32 { await run.stopped(signal: SIGTERM) }
}

import BerrysFoundation
import EventLog
import Foundation
import PostgresClient
import RedisClient
import TestSupport
import Testing

/// Resharding a live system: the slot of a busy partition moves to another primary while
/// events are published and `berrys run` consumes and projects them, on a cluster of the
/// test's own (`scripts/local-servers up reshard-cluster`).
@Suite struct ClusterReshardTests {
    static let binary = TestServers.projectRoot.appendingPathComponent(".build/debug/berrys").path

    /// Counts the publisher's rounds, so the move starts while it is busy.
    actor Progress {
        private(set) var rounds = 0
        func advance() { rounds += 1 }
    }

    /// A project created, then moved from DRAFT to PLANNING: two events of one subject.
    static func projectLifecycle(_ log: EventLog) throws -> [EventEnvelope] {
        let project = UUID().uuidString.lowercased()
        return [
            try log.prepare(EventDraft(type: "project.created", data: .object(["project_id": .string(project), "name": .string("P")]))),
            try log.prepare(EventDraft(type: "project.status_changed", data: .object([
                "project_id": .string(project), "previous_status": .string("DRAFT"), "new_status": .string("PLANNING")]))),
        ]
    }

    @Test func aBusyPartitionsSlotMovesWhilePublishingConsumingAndProjecting() async throws {
        try await OwnCluster.with("reshard-cluster") { url in
            let seeds = try RedisConfiguration.seeds(url: url)
            let database = try await TestServers.freshDatabase()
            let namespace = TestServers.uniqueNamespace("reshard")
            let environment = ["BERRYS_REDIS_URL": url, "BERRYS_DATABASE_URL": database, "BERRYS_NAMESPACE": namespace,
                               "BERRYS_PARTITIONS": "8", "BERRYS_HTTP_PORT": String(try TestServers.freePort()),
                               "BERRYS_SCHEMAS_DIR": TestServers.projectRoot.appendingPathComponent("schemas").path,
                               "BERRYS_PROJECTIONS_DIR": TestServers.projectRoot.appendingPathComponent("projections").path]
            let initialised = try await TestServers.runCapturingOffPool(Self.binary, ["init"], environment: environment)
            #expect(initialised.status == 0, "\(initialised.stderr)")
            let runLog = FileManager.default.temporaryDirectory.appendingPathComponent("reshard-\(UUID().uuidString).log").path
            let run = try BackgroundProcess.start(Self.binary, ["run", "--lease-seconds", "2"], environment: environment, logPath: runLog)
            let output = { (try? String(contentsOfFile: runLog, encoding: .utf8)).map { String($0.suffix(4000)) } ?? "" }

            let redis = RedisPool(seeds: seeds, size: 4)
            let log = try await TestLog.open(EventLogConfiguration(namespace: namespace, partitions: 8, unavailableRetrySeconds: 30),
                                             on: redis)
            let slot = HashSlot.of(log.configuration.streamKey(partition: 0))
            let map = try await redis.slotMap()
            let source = try #require(map.primary(forSlot: slot))
            let target = try #require(map.primaries.first { $0 != source })

            // 80 rounds of 20 projects (40 events) each, published as batches over all partitions.
            let progress = Progress()
            let publisher = Task { () -> (acknowledged: [AppendResult], refused: [String]) in
                var acknowledged: [AppendResult] = [], refused: [String] = []
                for _ in 0..<80 {
                    let batch = try (0..<20).flatMap { _ in try Self.projectLifecycle(log) }
                    for result in try await log.appendBatch(batch) {
                        switch result {
                        case .success(let appended): acknowledged.append(appended)
                        case .failure(let error): refused.append("\(error)")
                        }
                    }
                    await progress.advance()
                }
                return (acknowledged, refused)
            }
            try await eventually("the publisher under way", timeout: 30, every: .milliseconds(10)) { await progress.rounds >= 15 }
            let moved = try await SlotMigration.move(slot: slot, from: source, to: target, primaries: map.primaries,
                                                     configuration: seeds[0], keysPerBatch: 10) {
                try await Task.sleep(for: .milliseconds(20))
            }
            let roundsWhenMoved = await progress.rounds
            let (acknowledged, refused) = try await publisher.value
            #expect(refused.isEmpty, "\(refused.count) appends refused, e.g. \(refused.prefix(3))")
            #expect(roundsWhenMoved < 80, "the publisher had finished before the slot moved: nothing was tested")
            #expect(moved > 10, "only \(moved) keys in the slot")
            #expect(try await redis.node(forKey: log.configuration.streamKey(partition: 0)) == target)

            // Every acknowledged event is in the log once; each subject's sequences are 1, 2.
            var stored: [EventEnvelope] = []
            for partition in 0..<8 {
                var after = StreamID.zero
                while true {
                    let page = try await log.read(partition: partition, after: after, count: 1000, upcast: false)
                    guard let last = page.last?.position?.streamID else { break }
                    stored += page
                    after = last
                }
            }
            #expect(stored.count == 3200 && Set(stored.map(\.id)) == Set(acknowledged.map(\.id)), "\(stored.count) stored")
            let sequences = Dictionary(grouping: stored, by: \.subject).mapValues { $0.map { $0.sequence ?? 0 }.sorted() }
            #expect(sequences.count == 1600 && sequences.values.allSatisfy { $0 == [1, 2] })

            // The projector and the workers went through the move: the archive holds the log,
            // the read models what a single node gives, no group has anything pending.
            let pool = PostgresPool(conninfo: database, size: 1)
            try await eventually("every event projected", timeout: 60, every: .milliseconds(100)) {
                (try? await pool.query("SELECT count(*) FROM read.events").scalar) == "3200"
            }
            #expect(try await pool.query("SELECT count(DISTINCT id) FROM read.events").scalar == "3200")
            #expect(try await pool.query("""
                SELECT count(*) FILTER (WHERE status = 'PLANNING' AND version = 2), count(*), (SELECT count(*) FROM read.rejected_events)
                FROM read.projects
                """).values == [["1600", "1600", "0"]])
            var status = ""
            try await eventually("the workers caught up", timeout: 60, every: .milliseconds(200)) {
                status = try await TestServers.runCapturingOffPool(Self.binary, ["status"], environment: environment).stdout
                let rows = status.split(separator: "\n").drop { !$0.hasPrefix("WORKER") }.dropFirst().map { $0.split(separator: "\t") }
                return !rows.isEmpty && rows.allSatisfy { $0.count >= 7 && $0[2] == "0" && $0[3] == "0" && $0[6] == "0" }
            }
            #expect(await run.stopped(signal: SIGTERM) == 0, "\(output())")
        }
    }
}

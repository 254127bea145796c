import ProcessSupport
import BerrysFoundation
import Foundation
import RedisClient
import TestSupport
import Testing
import Workers

/// `berrys worker` running a connector from the connectors folder, against a real receiver:
/// killed with -9 mid-delivery, another process takes over and nothing is lost; `berrys status`
/// shows the breaker; a bad connector file stops the start with exit 78.
@Suite struct ConnectorProcessTests {
    static let binary = ProjectorProcessTests.binary

    private static func environment(namespace: String, connectors: URL) async throws -> [String: String] {
        ["BERRYS_REDIS_URL": TestServers.redisURL, "BERRYS_DATABASE_URL": try await TestServers.freshDatabase(),
         "BERRYS_NAMESPACE": namespace, "BERRYS_PARTITIONS": "2", "BERRYS_CONNECTORS_DIR": connectors.path,
         "BERRYS_SCHEMAS_DIR": TestServers.projectRoot.appendingPathComponent("schemas").path, "HOOK_SECRET": "whsec_cli",
         // Debug: the first transient retries are logged at debug, and the kill test counts every retry.
         "BERRYS_LOG_LEVEL": "debug"]
    }

    private static func connectorsFolder(_ files: [String: String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("berrys-cli-connectors-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return folder
    }

    @Test func aWorkerKilledMidDeliveryLosesNothing() async throws {
        try await withProcesses { processes in
            try await WebhookReceiver.with { receiver in
                await receiver.answer(after: .milliseconds(10))
                let folder = try Self.connectorsFolder(["hook.yaml": """
                    url: \(await receiver.url)
                    types: [task.*]
                    secret_env: HOOK_SECRET
                    max_in_flight: 4
                    """])
                let namespace = TestServers.uniqueNamespace("conn")
                let environment = try await Self.environment(namespace: namespace, connectors: folder)
                let plan = UUID().uuidString.lowercased()
                let ids = (0..<400).map { _ in UUID().uuidString.lowercased() }
                let lines = ids.enumerated().map { index, id in
                    #"{"specversion":"1.0","id":"\#(id)","source":"t","type":"task.created","data":{"task_id":"\#(UUID().uuidString.lowercased())","plan_id":"\#(plan)","name":"task \#(index)","priority":"MEDIUM"}}"#
                }.joined(separator: "\n")
                let published = try await TestServers.runCapturingOffPool(Self.binary, ["publish", "--file", "-"], input: lines, environment: environment)
                #expect(published.status == 0, "\(published.stderr)")

                let log = FileManager.default.temporaryDirectory.appendingPathComponent("connector-\(UUID().uuidString).log").path
                let arguments = ["worker", "--only", "connector-hook", "--lease-seconds", "2", "--visibility-timeout", "2"]
                let first = try processes.start(Self.binary, arguments + ["--consumer", "first"], environment: environment, logPath: log)
                // Progress: deliveries, or the process's log growing while it starts (over a minute
                // once, with two hogs, a release benchmark and the suite running).
                try await eventually("deliveries under way", every: .milliseconds(2),
                                     progress: { "\(await receiver.accepted.count) \(fileSize(log))" }) { await receiver.accepted.count >= 40 }
                #expect(await first.stopped(signal: SIGKILL) == 128 + SIGKILL)
                let deliveredAtKill = Set(await receiver.accepted.compactMap(\.eventID)).count
                #expect(deliveredAtKill < ids.count, "the kill came too late to test anything")
                // Read but not acknowledged when the process died: what the next process may deliver
                // again (at least once). Acknowledgements trail the deliveries by more on a loaded
                // machine (hog run 5: 23 repeats), so the test asks Redis rather than assuming a bound.
                let unacknowledgedAtKill = try await Self.pendingEventIDs(namespace: namespace, partitions: 2)

                let second = try processes.start(Self.binary, arguments + ["--consumer", "second"], environment: environment, logPath: log)
                // For as long as deliveries keep coming: the receiver runs in this test process, whose
                // stalls beside two busy loops made each delivery take a second or more (run 4 of
                // the hog runs: 360 pending events not done in 90 s, no delivery failing). The test
                // fails when deliveries stall for a minute, not when they are slow.
                try await eventually("every event delivered after the takeover",
                                     progress: { Set(await receiver.accepted.compactMap(\.eventID)).count }) {
                    Set(await receiver.accepted.compactMap(\.eventID)) == Set(ids)
                }
                // Asked until the process is a live member: with 1 s leases, a loaded machine can
                // let its membership lapse between two renewals, and status shows live members only.
                var status = ""
                try await eventually("berrys status shows the breaker", timeout: 30, every: .milliseconds(200)) {
                    status = try await TestServers.runCapturingOffPool(Self.binary, ["status"], environment: environment).stdout
                    return status.contains("connector-hook\tsecond\t")
                }
                #expect(status.contains("connector-hook\tsecond\tclosed"), "\(status)")
                #expect(await second.stopped(signal: SIGTERM) == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")

                let accepted = await receiver.accepted
                // At least once: an event may arrive again, with the same ce-id to drop it by,
                // - once more when the killed process had not acknowledged it;
                // - once more per retry the log shows for it: a delivery that timed out may have
                //   been received (fresh-clone hog run: "no answer from" the receiver, whose
                //   process was stalled, then a third copy after the kill);
                // - and at each lease the second process lost on a loaded machine (short leases;
                //   its log says so), up to the 4 in flight and a batch of acknowledgements.
                let workerLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                let lostLeases = workerLog.components(separatedBy: "lost the lease").count - 1
                let retries = Self.retriedEventIDs(workerLog)
                let copies = Dictionary(grouping: accepted.compactMap(\.eventID), by: { $0 }).mapValues(\.count)
                let unexplained = copies.filter { id, count in
                    count > 1 + (unacknowledgedAtKill.contains(id) ? 1 : 0) + retries[id, default: 0]
                }
                #expect(unexplained.count <= lostLeases * (2 * 4 + 8),
                        "\(unexplained.count) events delivered more often than the kill and their retries explain, with \(lostLeases) leases lost: \(unexplained)")
                #expect(accepted.allSatisfy { $0.headers["berrys-signature"]?.hasPrefix("t=") == true }, "signed with the secret from HOOK_SECRET")
            }
        }
    }

    /// How often the log shows a failed attempt for each event id.
    private static func retriedEventIDs(_ log: String) -> [String: Int] {
        var retries: [String: Int] = [:]
        for line in log.split(separator: "\n") where line.contains("attempt failed") {
            guard let range = line.range(of: "event_id=") else { continue }
            retries[String(line[range.upperBound...].prefix { $0 != " " }), default: 0] += 1
        }
        return retries
    }

    /// The event ids of the entries pending (read, not acknowledged) in the connector's group.
    private static func pendingEventIDs(namespace: String, partitions: Int) async throws -> Set<String> {
        let redis = RedisPool(seeds: [TestServers.redisConfiguration], size: 1)
        var ids: Set<String> = []
        for partition in 0..<partitions {
            let keys = WorkerKeys(namespace: namespace, worker: "connector-hook", partition: partition)
            let pending = try await redis.send("XPENDING", keys.stream, keys.group, "-", "+", "10000").array ?? []
            for row in pending {
                guard let streamID = row.array?.first?.string,
                      let entry = try await redis.send("XRANGE", keys.stream, streamID, streamID).array?.first?.array,
                      let fields = entry.last?.array?.compactMap(\.string),
                      let index = stride(from: 0, to: fields.count - 1, by: 2).first(where: { fields[$0] == "id" }) else { continue }
                ids.insert(fields[index + 1])
            }
        }
        return ids
    }

    @Test func aBadConnectorFileStopsTheStartNamingTheField() async throws {
        let folder = try Self.connectorsFolder(["hook.yaml": "url: http://127.0.0.1:1/x\ntypes: [no.such.type]\n"])
        let environment = try await Self.environment(namespace: TestServers.uniqueNamespace("conn"), connectors: folder)
        let run = try await TestServers.runCapturingOffPool(Self.binary, ["worker", "--only", "connector-hook"], environment: environment)
        #expect(run.status == 78, "\(run.stderr)")
        #expect(run.stderr.contains("CONNECTOR_INVALID: \(folder.path)/hook.yaml: types[0]: 'no.such.type' selects no event type"), "\(run.stderr)")
        let list = try await TestServers.runCapturingOffPool(Self.binary, ["workers", "list"], environment: environment)
        #expect(list.status == 78)
    }
}

import BerrysJSON
import Foundation
import HTTPTypes
import EventLog
import HummingbirdTesting
@testable import QueryAPI
import PostgresClient
import Projections
import TestSupport
import Testing

@Suite struct ReadYourWritesTests {
    /// Publish over HTTP, then read the same entity with the returned position: never stale.
    @Test func aClientAlwaysReadsItsOwnWrite() async throws {
        try await APIHarness.with(runWorkers: false) { harness in
            try await harness.withClient { client async throws in
                for round in 0..<1000 {
                    let agent = Events.uuid()
                    let published = try await client.post("/v1/events", body: Events.agentCreated(agent, name: "agent \(round)"))
                    #expect(published.status == .created)
                    let position = try #require(published.json["position"]?.stringValue)
                    let asked = ContinuousClock.now
                    let read = try await client.get("/v1/agents/\(agent)?consistent_with=\(position)")
                    guard read.status == .ok else {
                        Issue.record("""
                            round \(round): \(read.status) after \(ContinuousClock.now - asked) \(read.json); position \(position); \
                            \(try await Self.projectorState(harness, position: Position(position)!))
                            """)
                        break
                    }
                    #expect(read.json["name"] == .string("agent \(round)"))
                }
                // The header form, and the archive's own projection behind /v1/events.
                let agent = Events.uuid()
                let published = try await client.post("/v1/events", body: Events.agentCreated(agent))
                let position = try #require(published.json["position"]?.stringValue)
                let history = try await client.get("/v1/subjects/\(agent)/events", headers: [HTTPField.Name("Berrys-Consistent-With")!: position])
                #expect(history.status == .ok)
                #expect(history.json.arrayValue?.first?["type"] == .string("agent.created"))
            }
        }
    }

    /// Where the agents projection is, for a read that did not get there: its live
    /// checkpoints and its leases (seen under two CPU hogs: a first read timing out at 30 s).
    static func projectorState(_ harness: APIHarness, position: Position) async throws -> String {
        // How long ago each checkpoint moved: a checkpoint that reached the position only after
        // the 30 s says the projector was late; one that reached it early, that the wait missed it.
        // Every projection the read waits for (BerrysRoutes.projections), not only agents.
        let checkpoints = try await harness.admin.query("""
            SELECT c.projection, c.partition, c.stream_id, round(extract(epoch FROM now() - c.updated_at)::numeric, 1) FROM berrys.checkpoints c
            JOIN berrys.projections p ON p.name = c.projection AND p.version = c.version
            WHERE p.state = 'live' AND c.partition = $1 ORDER BY 1
            """, [position.partition]).values
        let leases = try await harness.admin.query("""
            SELECT partition, holder, round(extract(epoch FROM expires_at - now())::numeric, 1) FROM berrys.projection_leases
            WHERE projection = 'agents' ORDER BY 1
            """).values
        let watcher = harness.dependencies.checkpoints
        let activity = watcher.activity(of: "agents")
        // Statements still running or waiting (a read blocked on a lock, a stuck checkpoint query).
        let busy = try await harness.admin.query("""
            SELECT pid, state, wait_event_type, wait_event, round(extract(epoch FROM now() - query_start)::numeric, 1), left(query, 100)
            FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle' AND pid <> pg_backend_pid()
            """).values
        return "checkpoints of the read's partition (projection, partition, stream id, seconds since it moved) \(checkpoints), agents leases (partition, holder, seconds left) \(leases), "
            + "checkpoint watcher \(watcher.isWatching ? "listening" : "not running (each wait on a session of its own)"), "
            + "last notification \(activity.lastNotification ?? "none") \(activity.sinceNotification.map { "\($0) ago" } ?? ""), "
            + "last recheck \(activity.sinceRecheck.map { "\($0) ago" } ?? "never"), statements running \(busy)"
    }

    @Test func overRealHTTPWithWorkersAndProjectorsRunning() async throws {
        try await APIHarness.with() { harness in
            try await harness.withClient(live: true) { client async throws in
                for _ in 0..<20 {
                    let agent = Events.uuid()
                    let published = try await client.post("/v1/events", body: Events.agentCreated(agent))
                    #expect(published.status == .created)
                    #expect(published.headers[HTTPField.Name("X-Request-ID")!] != nil)
                    let position = try #require(published.json["position"]?.stringValue)
                    let read = try await client.get("/v1/agents/\(agent)?consistent_with=\(position)")
                    #expect(read.status == .ok)
                    #expect(read.json["id"] == .string(agent))
                }
            }
        }
    }

    @Test func aPositionNotReachedInTimeIsA504WithTheLag() async throws {
        // No projector: the read model never reaches what was published.
        try await APIHarness.with(settings: APISettings(consistencyTimeout: .milliseconds(200)), runWorkers: false, runProjector: false) { harness in
            try await harness.withClient { client async throws in
                let agent = Events.uuid()
                let published = try await client.post("/v1/events", body: Events.agentCreated(agent))
                let position = try #require(published.json["position"]?.stringValue)
                let read = try await client.get("/v1/agents/\(agent)?consistent_with=\(position)")
                #expect(read.status == .gatewayTimeout, "\(read.json)")
                #expect(read.json["error"]?["code"] == .string("consistency_timeout"))
                #expect(read.json["error"]?["details"]?.arrayValue?.first?["lag_seconds"] != nil)
                // Positions no publish returned are bad parameters, not timeouts.
                let parts = position.split(separator: "-")
                let future = "\(parts[0])-\(UInt64(parts[1])! + 3_600_000)-0"
                #expect(try await client.get("/v1/agents/\(agent)?consistent_with=\(future)").status == .badRequest)
                #expect(try await client.get("/v1/agents/\(agent)?consistent_with=nonsense").status == .badRequest)
            }
        }
    }

    @Test func aRequestOverTheTimeLimitIsA503() async throws {
        // The consistency wait (60 s) is far past the request limit (0.3 s), so an answer
        // well within it can only be the request limit's; the bound leaves room for a slow CI.
        let settings = APISettings(consistencyTimeout: .seconds(60), requestTimeout: .milliseconds(300))
        try await APIHarness.with(settings: settings, runWorkers: false, runProjector: false) { harness in
            try await harness.withClient { client async throws in
                let agent = Events.uuid()
                let position = try #require(try await client.post("/v1/events", body: Events.agentCreated(agent)).json["position"]?.stringValue)
                let started = Date()
                let read = try await client.get("/v1/agents/\(agent)?consistent_with=\(position)")
                #expect(read.status == .serviceUnavailable)
                #expect(read.json["error"]?["code"] == .string("request_timeout"))
                #expect(Date().timeIntervalSince(started) < 30)
            }
        }
    }

    /// SQL reads are bounded by the request time limit too (the sessions' statement_timeout).
    @Test func aReadOverTheTimeLimitIsCutAndReportedAsA503() async throws {
        let url = try await TestServers.freshDatabase()
        _ = try await Migrations.run(on: PostgresConnection(conninfo: url))  // the reader role
        let reads = ReadStore(conninfo: url, size: 1, statementTimeout: 0.2)
        // The server cancelled the sleep (57014, query_canceled by statement_timeout): no
        // wall-clock bound, which a loaded CI machine missed (3.47 s against 3 in stop 20),
        // while a sleep that ran to its end would have returned a row instead of throwing.
        let error = await #expect(throws: PostgresError.self) { try await reads.json("SELECT pg_sleep(60)::text") }
        #expect(error?.sqlState == "57014", "\(String(describing: error))")
        let answer = try #require(error.map(APIError.from))
        #expect(answer.status == .serviceUnavailable)
        #expect(answer.code == "request_timeout")
        // The session is still usable afterwards.
        #expect(try await reads.json("SELECT 'still here'") == "still here")
    }
}

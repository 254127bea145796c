import BerrysJSON
import EventLog
import Foundation
import Hummingbird
import Logging
import NIOCore
import QueryAPI
import ServiceLifecycle
import Subscriptions
import Synchronization
import TestSupport
import Testing

/// `GET /v1/stream` over real HTTP connections, on real Redis and PostgreSQL: resuming,
/// filters, a client that never reads, tokens, and a server restart mid-stream. One at a time:
/// each runs a whole API server beside the rest of the suite.
@Suite(.serialized) struct StreamTests {
    /// A whole API server (hub and all) over `harness`'s log on a free port, stopped after `body`
    /// (given the port and the server's live hub).
    static func withServer<T>(_ harness: APIHarness, settings: APISettings = APISettings(consistencyTimeout: .seconds(60)),
                              _ body: (Int, EventHub) async throws -> T) async throws -> T {
        var logger = Logger(label: "test.stream")
        logger.logLevel = .warning
        let dependencies = APIDependencies(log: harness.log, redis: harness.redis, reads: harness.dependencies.reads, admin: harness.admin,
                                           databaseURL: harness.dependencies.databaseURL, settings: settings)
        let port = Mutex<Int?>(nil)
        let app = Application(router: APIServer.router(dependencies), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              services: [dependencies.checkpoints, dependencies.stream],
                              onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        return try await withServices([app], logger: logger) {
            let listening = try await eventuallySome("the server listening") { port.withLock { $0 } }
            try await dependencies.stream.waitUntilStarted(timeout: .seconds(30))
            return try await body(listening, dependencies.stream)
        }
    }

    /// `count` events of `type` (a tool registration or a project status change, whose reason
    /// is `padding` characters long), published in one batch.
    @discardableResult
    static func publish(_ log: EventLog, count: Int, type: String = "tool.registered", subject: String? = nil,
                        source: String = "test", padding: Int = 0) async throws -> [String] {
        let drafts = try (0..<count).map { _ -> EventEnvelope in
            let id = subject ?? UUID().uuidString.lowercased()
            let data: JSON = type == "tool.registered"
                ? .object(["tool_id": .string(id), "name": .string("t"), "category": .string("test"), "version": .string("1.0.0")])
                : .object(["project_id": .string(id), "previous_status": .string("DRAFT"), "new_status": .string("PLANNING"),
                           "reason": .string(String(repeating: "x", count: padding))])
            var draft = EventDraft(type: type, data: data)
            draft.source = source
            return try log.prepare(draft)
        }
        var ids: [String] = []
        for result in try await log.appendBatch(drafts) { ids.append(try result.get().id) }
        return ids
    }

    /// The CloudEvent ids of a client's events (not the overflow notice), parsed once as they
    /// arrived: the waits below ask for them every few milliseconds.
    static func ids(_ client: SSEClient) -> [String] { client.eventIDs }

    /// Each partition's events arrive in log order.
    static func expectLogOrderPerPartition(_ client: SSEClient, sourceLocation: SourceLocation = #_sourceLocation) {
        var last: [Int: StreamID] = [:]
        for message in client.messages where message.event != "overflow" {
            guard let text = (try? JSON(parsing: message.data))?["position"]?.stringValue, let position = Position(text) else {
                Issue.record("a message without a position: \(message.data.prefix(200))", sourceLocation: sourceLocation)
                return
            }
            #expect(position.streamID > last[position.partition] ?? .zero, "partition \(position.partition) out of order", sourceLocation: sourceLocation)
            last[position.partition] = position.streamID
        }
    }

    @Test func aClientResumesWithLastEventIDAcrossADisconnectAndGetsEveryEventOnce() async throws {
        try await APIHarness.with(runWorkers: false, runProjector: false) { harness in
            try await Self.withServer(harness) { port, _ in
                let before = try await Self.publish(harness.log, count: 40)
                let first = try SSEClient(port: port, path: "/v1/stream?from=beginning")
                try await eventually("the history") { Self.ids(first).count == 40 }
                #expect(first.status == 200 && first.headers["content-type"] == "text/event-stream")
                let live = try await Self.publish(harness.log, count: 10)
                try await eventually("the live events") { Self.ids(first).count == 50 }
                first.close()
                let resumeFrom = try #require(first.lastEventID)
                #expect(resumeFrom.hasPrefix("v1."))

                let missed = try await Self.publish(harness.log, count: 30)
                let second = try SSEClient(port: port, path: "/v1/stream", headers: ["Last-Event-ID": resumeFrom])
                try await eventually("the missed events") { Self.ids(second).count == 30 }
                let after = try await Self.publish(harness.log, count: 20)
                try await eventually("the events after the reconnect") { Self.ids(second).count == 50 }
                second.close()
                #expect(Set(Self.ids(first)) == Set(before + live))
                #expect(Set(Self.ids(second)) == Set(missed + after))
                let all = Self.ids(first) + Self.ids(second)
                #expect(all.count == Set(all).count, "no event twice across the reconnect")
                for client in [first, second] { Self.expectLogOrderPerPartition(client) }
            }
        }
    }

    @Test func filtersPassOnlyWhatTheyName() async throws {
        try await APIHarness.with(runWorkers: false, runProjector: false) { harness in
            try await Self.withServer(harness) { port, _ in
                let project = UUID().uuidString.lowercased()
                let tools = try await Self.publish(harness.log, count: 5)
                let ofProject = try await Self.publish(harness.log, count: 4, type: "project.status_changed", subject: project)
                let otherProjects = try await Self.publish(harness.log, count: 3, type: "project.status_changed")
                let fromElsewhere = try await Self.publish(harness.log, count: 2, source: "elsewhere")
                let cases: [(String, [String])] = [
                    ("type=tool.registered", tools + fromElsewhere),
                    ("type=project.*", ofProject + otherProjects),
                    ("type=project.status_changed&type=tool.registered", tools + ofProject + otherProjects + fromElsewhere),
                    ("subject=\(project)", ofProject),
                    ("partitionkey=\(project)", ofProject),
                    ("source=elsewhere", fromElsewhere),
                    ("type=agent.*", []),
                ]
                for (query, expected) in cases {
                    let client = try SSEClient(port: port, path: "/v1/stream?from=beginning&\(query)")
                    // The id-only message after the catch-up says the history is done.
                    try await eventually("\(query): caught up") { client.lastEventID != nil && Self.ids(client).count >= expected.count }
                    // Real time: a message sent twice would arrive after the catch-up; give it a moment.
                    try await Task.sleep(for: .milliseconds(100))
                    #expect(Set(Self.ids(client)) == Set(expected), "\(query)")
                    #expect(Self.ids(client).count == expected.count, "\(query): each once")
                    client.close()
                }
                let bad = try SSEClient(port: port, path: "/v1/stream?type=agent*")
                try await eventually("the refusal") { bad.status != nil }
                #expect(bad.status == 400)
                let wrongToken = try SSEClient(port: port, path: "/v1/stream", headers: ["Last-Event-ID": "v1.0-0"])
                try await eventually("the refusal") { wrongToken.status != nil }
                #expect(wrongToken.status == 400)
            }
        }
    }

    @Test func aClientThatNeverReadsOverflowsAndOthersGetEverything() async throws {
        try await APIHarness.with(runWorkers: false, runProjector: false) { harness in
            try await Self.withServer(harness, settings: APISettings(consistencyTimeout: .seconds(60), streamBufferCapacity: 2500)) { port, hub in
                let stalled = try SSEClient(port: port, path: "/v1/stream", read: false, receiveBuffer: 4096)
                let reader = try SSEClient(port: port, path: "/v1/stream")
                try await eventually("both registered") { reader.lastEventID != nil && hub.subscriberCount == 2 }
                // About 12 MB of messages: more than the socket buffers between the server and a
                // client that does not read (at most about 4 MB), and its queue, hold.
                var published: [String] = []
                for _ in 0..<6 { published += try await Self.publish(harness.log, count: 1000, type: "project.status_changed", padding: 2000) }
                do {
                    try await eventually("the reading client has every event", timeout: 120) { Self.ids(reader).count == published.count }
                } catch {
                    Issue.record("the reader got \(Self.ids(reader).count) of \(published.count); its last message: \(reader.messages.last?.event ?? "none")")
                    throw error
                }
                #expect(Set(Self.ids(reader)) == Set(published))
                #expect(!reader.messages.contains { $0.event == "overflow" })

                stalled.startReading()
                try await eventually("the stalled client is cut off", timeout: 60) { stalled.ended }
                let last = try #require(stalled.messages.last)
                #expect(last.event == "overflow")
                let token = try #require(try JSON(parsing: last.data)["token"]?.stringValue)
                #expect(last.id == token)
                let received = Self.ids(stalled)
                #expect(received.count < published.count)

                // Resuming from the overflow's token gives the rest, each once.
                let resumed = try SSEClient(port: port, path: "/v1/stream", headers: ["Last-Event-ID": token])
                try await eventually("the rest after the overflow", timeout: 60) { received.count + Self.ids(resumed).count >= published.count }
                resumed.close()
                let all = received + Self.ids(resumed)
                #expect(all.count == published.count && Set(all) == Set(published))
            }
        }
    }

    @Test func tokensAreAskedForAndAReadTokenStreams() async throws {
        let tokens = try APITokens(parsing: "read:r3ad,publish:pub1")
        try await APIHarness.with(runWorkers: false, runProjector: false) { harness in
            try await Self.withServer(harness, settings: APISettings(consistencyTimeout: .seconds(60), tokens: tokens)) { port, _ in
                let none = try SSEClient(port: port, path: "/v1/stream")
                let unknown = try SSEClient(port: port, path: "/v1/stream", headers: ["Authorization": "Bearer nope"])
                try await eventually("the refusals") { none.status != nil && unknown.status != nil }
                #expect(none.status == 401 && unknown.status == 401)
                let reader = try SSEClient(port: port, path: "/v1/stream", headers: ["Authorization": "Bearer r3ad"])
                try await eventually("registered") { reader.lastEventID != nil }
                let ids = try await Self.publish(harness.log, count: 3)
                try await eventually("the events") { Self.ids(reader).count == 3 }
                #expect(Set(Self.ids(reader)) == Set(ids))
                reader.close()
            }
        }
    }

    @Test func aServerRestartMidStreamIsResumedWithoutLossOrRepeat() async throws {
        try await APIHarness.with(runWorkers: false, runProjector: false) { harness in
            let (received, lastID, published) = try await Self.withServer(harness) { port, _ in
                let client = try SSEClient(port: port, path: "/v1/stream?type=project.*")
                try await eventually("registered") { client.lastEventID != nil }
                let published = try await Self.publish(harness.log, count: 30, type: "project.status_changed")
                try await eventually("the events") { Self.ids(client).count == 30 }
                return (client, client.lastEventID, published)
            }
            // The server shut down gracefully: the stream ended, and the client reconnects.
            try await eventually("the stream ended by the shutdown") { received.ended }
            let whileDown = try await Self.publish(harness.log, count: 20, type: "project.status_changed")
            try await Self.withServer(harness) { port, _ in
                let again = try SSEClient(port: port, path: "/v1/stream?type=project.*", headers: ["Last-Event-ID": try #require(lastID)])
                try await eventually("the events published while down") { Self.ids(again).count == 20 }
                let after = try await Self.publish(harness.log, count: 10, type: "project.status_changed")
                try await eventually("the events after the restart") { Self.ids(again).count == 30 }
                again.close()
                let all = Self.ids(received) + Self.ids(again)
                #expect(all.count == Set(all).count)
                #expect(Set(all) == Set(published + whileDown + after))
                Self.expectLogOrderPerPartition(again)
            }
        }
    }
}

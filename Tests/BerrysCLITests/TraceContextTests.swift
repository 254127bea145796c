import ProcessSupport
import BerrysFoundation
import Foundation
import TestSupport
import Testing

/// One trace id travels from an HTTP publish (`traceparent` header) through a worker's emitted
/// event to a connector's delivery, in `berrys run`.
@Suite struct TraceContextTests {
    static let binary = ProjectorProcessTests.binary

    @Test func aTraceTravelsFromAnHTTPPublishThroughAWorkerToAWebhook() async throws {
        try await WebhookReceiver.with { receiver in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("berrys-trace-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try "url: \(await receiver.url)\ntypes: [agent.execution.queued]\n".write(to: folder.appendingPathComponent("hook.yaml"),
                                                                                         atomically: true, encoding: .utf8)
            let port = try TestServers.freePort()
            let environment = try await apiServerEnvironment(port: port, namespace: "trace", extra: ["BERRYS_CONNECTORS_DIR": folder.path])
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).log").path
            let server = try BackgroundProcess.start(Self.binary, ["run"], environment: environment, logPath: log)
            do {
                try await Self.check(receiver: receiver, port: port)
            } catch {
                _ = await server.stopped(signal: SIGKILL)
                throw error
            }
            #expect(await server.stopped(signal: SIGTERM) == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
    }

    private static func check(receiver: WebhookReceiver, port: Int) async throws {
        try await eventually("the API answers", timeout: 90, every: .milliseconds(200)) {
            (try? await TestServers.runCapturingOffPool("curl", ["-fsS", "http://127.0.0.1:\(port)/health/liveness"]))?.status == 0
        }
        let (task, plan, agent) = (UUID().uuidString.lowercased(), UUID().uuidString.lowercased(), UUID().uuidString.lowercased())
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736", publisherSpan = "00f067aa0ba902b7"
        let traceparent = "00-\(traceID)-\(publisherSpan)-01"
        let events = [
            #"{"specversion":"1.0","id":"\#(UUID().uuidString.lowercased())","source":"t","type":"task.created","data":{"task_id":"\#(task)","plan_id":"\#(plan)","name":"traced","priority":"HIGH"}}"#,
            #"{"specversion":"1.0","id":"\#(UUID().uuidString.lowercased())","source":"t","type":"task.assigned","data":{"task_id":"\#(task)","plan_id":"\#(plan)","agent_id":"\#(agent)"}}"#,
        ]
        for event in events {
            let posted = try await TestServers.runCapturingOffPool("curl", [
                "-fsS", "-X", "POST", "http://127.0.0.1:\(port)/v1/events", "-H", "Content-Type: application/cloudevents+json",
                "-H", "traceparent: \(traceparent)", "-H", "tracestate: berrys=t1", "--data-binary", event])
            #expect(posted.status == 0, "\(posted.stderr)")
        }
        try await eventually("the queued execution delivered", timeout: 90, every: .milliseconds(100)) { await !receiver.accepted.isEmpty }
        let delivery = try #require(await receiver.accepted.first)
        #expect(delivery.headers["ce-type"] == "agent.execution.queued")
        let header = try #require(delivery.headers["traceparent"])
        let parts = header.split(separator: "-").map(String.init)
        #expect(parts.count == 4 && parts[1] == traceID, "the publisher's trace: \(header)")
        #expect(parts[2] != publisherSpan, "a child span of the worker's, not the publisher's own")
        #expect(delivery.headers["ce-traceparent"] == header, "stored on the emitted event")
        #expect(delivery.headers["tracestate"] == "berrys=t1", "the state travels with it")
    }
}

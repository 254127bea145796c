import BerrysJSON
import Connectors
import EventLog
import Foundation
import Logging
import TestSupport
import Testing
import Workers

/// Connectors against a real HTTP receiver and the real test Redis: delivery, order, the
/// signature, the circuit breaker, refusals and throttling.
@Suite struct WebhookDeliveryTests {
    /// A connector `hook` of project status changes to `receiver`, run by a worker runtime while `body` runs.
    private func withConnector<T>(_ harness: RuntimeHarness, receiver: WebhookReceiver, circuit: String = "",
                                  _ body: (ConnectorSet) async throws -> T) async throws -> T {
        let definition = try ConnectorFile().load("hook", """
            url: \(await receiver.url)
            types: [project.status_changed]
            secret_env: HOOK_SECRET
            timeout_seconds: 5
            \(circuit)
            """, knownTypes: Set(TestLog.registry.types), environment: ["HOOK_SECRET": "whsec_test"])
        var logger = Logger(label: "test.connectors")
        logger.logLevel = .warning
        let connectors = ConnectorSet(definitions: [definition], knownTypes: Set(TestLog.registry.types), redis: harness.redis,
                                      namespace: harness.namespace, consumer: "hooks-1", clock: harness.log.clock, logger: logger)
        do {
            let result = try await harness.withRuntime(connectors.workers, consumer: "hooks-1") { try await body(connectors) }
            try await connectors.shutdown()
            return result
        } catch {
            try? await connectors.shutdown()
            throw error
        }
    }

    private func circuits(_ harness: RuntimeHarness) async throws -> [CircuitStatus] {
        try await WorkerStatusReader(redis: harness.redis, namespace: harness.namespace, partitions: 4).circuits(worker: "connector-hook")
    }

    @Test func everyMatchingEventIsDeliveredOnceInKeyOrderAndSigned() async throws {
        let harness = try await RuntimeHarness()
        var published: [String: [String]] = [:]
        for _ in 0..<20 {
            let key = UUID().uuidString.lowercased()
            published[key] = try await harness.publish(key: key, count: 5).map(\.id)
        }
        // Not selected by the connector's filter.
        let tool: JSON = .object(["tool_id": .string(UUID().uuidString.lowercased()), "name": .string("t"),
                                  "category": .string("test"), "version": .string("1.0.0")])
        try await harness.log.append(EventDraft(type: "tool.registered", data: tool))
        try await WebhookReceiver.with { receiver in
            try await withConnector(harness, receiver: receiver) { _ in
                try await eventually("100 deliveries") { await receiver.accepted.count >= 100 }
                try await eventually("nothing pending") {
                    try await WorkerStatusReader(redis: harness.redis, namespace: harness.namespace, partitions: 4).groupStatuses()
                        .allSatisfy { $0.pending == 0 && ($0.lagEntries ?? 0) == 0 }
                }
            }
            let requests = await receiver.requests
            #expect(requests.count == 100, "one request per event, none for other types, no retries")
            #expect(Set(requests.compactMap(\.eventID)) == Set(published.values.joined()))
            var byKey: [String: [String]] = [:]
            for request in requests { byKey[request.headers["ce-subject"] ?? "", default: []].append(request.eventID ?? "") }
            for (key, ids) in published { #expect(byKey[key] == ids, "key \(key) in log order") }
            let now = Int(Date().timeIntervalSince1970)
            #expect(requests.allSatisfy { request in
                ConnectorSignature.verify(header: request.headers[ConnectorSignature.headerName.lowercased()] ?? "", body: request.body,
                                          secret: "whsec_test", now: now)
            }, "every signature verifies")
            #expect(requests.allSatisfy { $0.headers["ce-type"] == "project.status_changed" && $0.headers["ce-specversion"] == "1.0" })
        }
    }

    @Test func theBreakerOpensAfterFiveFailuresSendsNothingWhileOpenProbesAndCloses() async throws {
        let harness = try await RuntimeHarness()
        try await WebhookReceiver.with { receiver in
            await receiver.set(.fail(status: 503))
            var ids: [String] = []
            for _ in 0..<3 { ids += try await harness.publish(count: 1).map(\.id) }
            // One request at a time (max_in_flight 1), so that each is sent after the answer to
            // the one before was counted: the sixth goes only once the open breaker lets it.
            // Three events wait meanwhile, behind the breaker and the limit.
            try await withConnector(harness, receiver: receiver,
                                    circuit: "max_in_flight: 1\ncircuit: {failure_threshold: 5, recovery_timeout_seconds: 1}") { _ in
                // Each request answered is progress (a loaded machine decides how long five take).
                try await eventually("the breaker open after failures", progress: { await receiver.requests.count }) {
                    try await circuits(harness).first?.state == .open
                }
                try await eventually("a probe after the recovery timeout, failing") { await receiver.requests.count >= 6 }
                await receiver.set(.accept)
                try await eventually("all three delivered") { Set(await receiver.accepted.compactMap(\.eventID)) == Set(ids) }
                try await eventually("the breaker closed") { try await circuits(harness).first?.state == .closed }
            }
            let requests = await receiver.requests
            let failures = requests.prefix { $0.status == 503 }
            #expect(failures.count >= 6, "five to open it, then at least one failed probe: \(requests.map(\.status))")
            // Opened by the fifth failure: nothing for the recovery timeout, then one probe at a time.
            for index in 5..<failures.count {
                let gap = requests[index].receivedAt.timeIntervalSince(requests[index - 1].receivedAt)
                #expect(gap >= 0.99, "request \(index + 1) came \(gap) s after the one before, while the breaker was open")
            }
            #expect(try await harness.deadLetters().isEmpty, "events wait while the breaker is open; none is dead-lettered")
        }
    }

    @Test func aRefusedEventIsDeadLetteredAtOnceWithTheStatusAndTheOthersGoOn() async throws {
        let harness = try await RuntimeHarness()
        try await WebhookReceiver.with { receiver in
            let refused = try await harness.publish(count: 1)[0].id
            let others = try await harness.publish(count: 3).map(\.id)
            await receiver.refuse([refused])
            try await withConnector(harness, receiver: receiver) { _ in
                try await eventually("the others delivered") { Set(await receiver.accepted.compactMap(\.eventID)) == Set(others) }
                try await eventually("the refused one dead-lettered") { try await !harness.deadLetters().isEmpty }
            }
            let letters = try await harness.deadLetters()
            #expect(letters.map(\.eventID) == [refused])
            #expect(letters.first?.reason == .rejected)
            #expect(letters.first?.error.contains("HTTP 400: {\"error\":\"no such recipient") == true, "\(letters.first?.error ?? "")")
            #expect(await receiver.requests.filter { $0.eventID == refused }.count == 1, "a refusal is not retried")
        }
    }

    @Test func tooManyRequestsWaitsForRetryAfter() async throws {
        let harness = try await RuntimeHarness()
        try await WebhookReceiver.with { receiver in
            await receiver.set(.throttle(retryAfterSeconds: 1))
            let id = try await harness.publish(count: 1)[0].id
            try await withConnector(harness, receiver: receiver) { _ in
                try await eventually("throttled once") { await receiver.requests.count >= 1 }
                await receiver.set(.accept)
                try await eventually("delivered") { await receiver.accepted.map(\.eventID) == [id] }
            }
            let requests = await receiver.requests
            for index in requests.indices.dropFirst() where requests[index - 1].status == 429 {
                let gap = requests[index].receivedAt.timeIntervalSince(requests[index - 1].receivedAt)
                #expect(gap >= 0.99, "retried \(gap) s after a 429 with Retry-After: 1")
            }
            #expect(try await harness.deadLetters().isEmpty)
        }
    }
}

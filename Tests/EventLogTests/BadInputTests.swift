import BerrysJSON
import EventLog
import Foundation
import TestSupport
import Testing

/// Every kind of bad input is refused with the field and the rule, and nothing is appended.
@Suite struct BadInputTests {
    static let agentID = UUID().uuidString.lowercased()
    static let validAgent: JSON = .object(["agent_id": .string(agentID), "name": .string("A"),
                                           "agent_type": .string("ASSISTANT"), "specializations": .array([])])

    static let cases: [(String, EventDraft, EventLogError.Code, String?)] = [
        ("empty id", EventDraft(type: "agent.created", data: validAgent, id: ""), .invalidEnvelope, "id"),
        ("empty source", EventDraft(type: "agent.created", data: validAgent, source: ""), .invalidEnvelope, "source"),
        ("bad time", EventDraft(type: "agent.created", data: validAgent, time: "yesterday"), .invalidEnvelope, "time"),
        ("time without zone", EventDraft(type: "agent.created", data: validAgent, time: "2026-11-25T13:45:00"), .invalidEnvelope, "time"),
        ("unknown type", EventDraft(type: "agent.exploded", data: validAgent, subject: "x"), .unknownType, "type"),
        ("unknown version", EventDraft(type: "agent.created", data: validAgent, dataVersion: 9), .unknownVersion, "dataversion"),
        ("schema violation", EventDraft(type: "agent.created", data: .object(["agent_id": .string(agentID)])), .schemaViolation, "data/name"),
        ("wrong subject", EventDraft(type: "agent.created", data: validAgent, subject: "someone-else"), .invalidEnvelope, "subject"),
        ("bad extension name", EventDraft(type: "agent.created", data: validAgent, extensions: ["Trace": "x"]), .invalidEnvelope, "Trace"),
        ("reserved extension", EventDraft(type: "agent.created", data: validAgent, extensions: ["sequence": "9"]), .invalidEnvelope, "sequence"),
        ("long subject", EventDraft(type: "agent.topic.subscribed", data: .object(["agent_id": .string(agentID), "topic": .string(String(repeating: "t", count: 200))]),
                                    partitionKey: String(repeating: "k", count: 300)), .invalidEnvelope, "partitionkey"),
    ]

    @Test(arguments: 0..<cases.count)
    func badInputIsRefusedNamingTheField(_ index: Int) async throws {
        let (name, draft, code, field) = Self.cases[index]
        let log = try await TestLog.open()
        let error = await #expect(throws: EventLogError.self, "\(name)") { try await log.append(draft) }
        #expect(error?.code == code, "\(name): \(String(describing: error))")
        #expect(error?.field == field, "\(name): \(String(describing: error))")
        for partition in 0..<4 { #expect(try await log.read(partition: partition).isEmpty) }
    }

    @Test func oversizedPayloadIsRefused() async throws {
        let log = try await TestLog.open()
        var data = Self.validAgent.objectValue!
        data["description"] = .string(String(repeating: "x", count: 9_000))
        data["configuration"] = .object(["blob": .string(String(repeating: "y", count: 1 << 20))])
        let error = await #expect(throws: EventLogError.self) { try await log.append(EventDraft(type: "agent.created", data: .object(data))) }
        #expect(error?.code == .payloadTooLarge)
    }

    @Test func schemaViolationListsEveryPointer() throws {
        let error = #expect(throws: EventLogError.self) {
            try TestLog.registry.validate(type: "agent.created", version: 2,
                                          data: .object(["agent_id": .string("not-a-uuid"), "name": .string(""), "agent_type": .string("ROBOT")]))
        }
        let details = Set(error?.details ?? [])
        #expect(details.contains("/agent_id: must be a valid uuid"))
        #expect(details.contains("/name: must be at least 1 characters long, is 0"))
        #expect(details.contains { $0.hasPrefix("/agent_type: must be one of") })
        #expect(details.contains("/specializations: required property missing"))
    }

    @Test func unreachableRedisFailsWithUnavailableAfterRetrying() async throws {
        let registry = TestLog.registry
        let started = Date()
        let error = await #expect(throws: EventLogError.self) {
            _ = try await EventLog.open(redis: .init(configuration: .init(port: 1, connectTimeout: .milliseconds(200))),
                                        configuration: EventLogConfiguration(unavailableRetry: .seconds(1)), registry: registry)
        }
        #expect(error?.code == .unavailable)
        // It kept retrying (connecting to port 1 fails at once) before giving up.
        #expect(Date().timeIntervalSince(started) >= 0.2)
    }
}

@Suite struct SubjectLimitTests {
    @Test func subjectOver256BytesIsRefusedByTheClient() async throws {
        let configuration = EventLogConfiguration(namespace: TestServers.uniqueNamespace("subject"), unavailableRetry: .seconds(2))
        let log = try await EventLog.open(redis: .init(configuration: TestServers.redisConfiguration), configuration: configuration,
                                          registry: TestLog.registry)
        let draft = EventDraft(type: "project.created", data: .object(["project_id": .string(UUID().uuidString.lowercased()), "name": .string("p")]),
                               subject: String(repeating: "s", count: 257))
        let error = await #expect(throws: EventLogError.self) { try await log.append(draft) }
        #expect(error?.field == "subject")
        #expect(error?.message.contains("at most 256 bytes") == true)
    }

    @Test func subjectOver256BytesIsRefusedByTheFunction() async throws {
        let log = try await TestLog.open(partitions: 1)
        let output = try TestServers.run("redis-cli", ["-u", TestServers.redisURL, "FCALL", "berrys_append", "1",
                                                       log.configuration.streamKey(partition: 0), "any",
                                                       "specversion", "1.0", "id", "x", "source", "s", "type", "t", "dataversion", "1",
                                                       "subject", String(repeating: "s", count: 257), "time", "2026-11-25T13:45:00Z",
                                                       "datacontenttype", "application/json", "data", "{}"])
        #expect(output.contains("BERRYS_INVALID subject must be at most 256 bytes"))
        #expect(try await log.read(partition: 0).isEmpty)
    }
}

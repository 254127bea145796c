import BerrysDomain
import BerrysJSON
import EventLog
import Foundation
import TestSupport
import Testing

@Suite struct TypedPayloadTests {
    @Test func everySchemaVersionHasATypedPayload() {
        let typed = Set(BerrysEventTypes.all.map { "\($0.eventType) v\($0.schemaVersion)" })
        let schemas = Set(TestLog.registry.types.flatMap { type in TestLog.registry.schemas[type]!.keys.map { "\(type) v\($0)" } })
        #expect(typed == schemas)
    }

    /// Decoding each valid example into its Swift type and encoding it again gives the same
    /// JSON, which validates against the schema.
    @Test(arguments: BerrysEventTypes.all.map { TypeBox($0) })
    func examplesRoundTripThroughTheTypedPayload(_ box: TypeBox) throws {
        let eventType = box.type
        let example = TestServers.projectRoot.appendingPathComponent(
            "schemas/\(eventType.eventType)/examples/v\(eventType.schemaVersion).valid.json")
        let original = try JSON(parsing: String(contentsOf: example, encoding: .utf8))
        let encoded = try Self.roundTrip(eventType, original)
        #expect(encoded == original)
        let errors = try TestLog.registry.schema(type: eventType.eventType, version: eventType.schemaVersion).validate(encoded)
        #expect(errors.isEmpty, "\(errors)")
    }

    static func roundTrip<T: BerrysEvent>(_ type: T.Type, _ json: JSON) throws -> JSON {
        try T(json: json).json()
    }

    @Test func typedEventPublishesThroughTheLog() async throws {
        let log = try await TestLog.open()
        let agent = UUID().uuidString.lowercased()
        let created = AgentCreated(agentID: agent, name: "Typed", agentType: .developer,
                                   configuration: .object(["maxTokens": .number(512)]), specializations: ["swift"])
        let result = try await log.append(try created.draft(source: "typed-test"), expected: .none)
        let events = try await log.read(partition: result.position.partition)
        #expect(events.first?.subject == agent)
        #expect(try AgentCreated(json: events.first!.data) == created)
        let message = AgentMessageSent(messageID: UUID().uuidString.lowercased(), fromAgentID: agent,
                                       routing: .topic("research.updates"), content: "hi", priority: 2)
        let sent = try await log.append(try message.draft())
        #expect(sent.position.partition == log.partitioner.partition(for: "topic:research.updates"))
    }
}

/// Carries a payload type as a test argument.
struct TypeBox: Sendable, CustomTestStringConvertible {
    let type: any BerrysEvent.Type
    init(_ type: any BerrysEvent.Type) { self.type = type }
    var testDescription: String { "\(type.eventType) v\(type.schemaVersion)" }
}

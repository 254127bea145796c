import BerrysJSON
import EventLog
import Foundation
import JSONSchema
import TestSupport
import Testing

@Suite struct UpcastTests {
    @Test func agentCreatedV1IsReadAsV2() async throws {
        let log = try await TestLog.open()
        let id = UUID().uuidString.lowercased()
        let v1: JSON = .object(["agent_id": .string(id), "name": .string("Old"), "type": .string("RESEARCHER")])
        let result = try await log.append(EventDraft(type: "agent.created", data: v1, dataVersion: 1))
        let upcast = try await log.read(partition: result.position.partition)
        #expect(upcast.first?.dataVersion == 2)
        #expect(upcast.first?.data == .object(["agent_id": .string(id), "name": .string("Old"),
                                               "agent_type": .string("RESEARCHER"), "specializations": .array([])]))
        #expect(try TestLog.registry.schema(type: "agent.created", version: 2).isValid(upcast.first!.data))
        let raw = try await log.read(partition: result.position.partition, upcast: false)
        #expect(raw.first?.dataVersion == 1)
        #expect(raw.first?.data == v1)
    }

    @Test func registryRefusesAVersionWithoutAPathToTheNewest() throws {
        let schemas = TestLog.registry.schemas
        let error = #expect(throws: EventLogError.self) { try SchemaRegistry(schemas: schemas, upcasters: []) }
        #expect(error?.code == .registry)
        #expect(error?.message.contains("agent.created v1 → v2") == true)
        #expect(error?.details.contains { $0.contains("property-removed at /properties/type") && $0.contains("renamed to 'agent_type'") } == true)
    }

    @Test func registryRefusesVersionGaps() throws {
        let schema = try JSONSchema(parsing: "{}")
        #expect(throws: EventLogError.self) { try SchemaRegistry(schemas: ["x": [1: schema, 3: schema]]) }
    }
}

import BerrysJSON
import Foundation
import JSONSchema
import TestSupport
import Testing

/// Generated instances are valid, varied, and the same for the same seed.
@Suite struct InstanceGeneratorTests {
    @Test func everyShippedSchemaYieldsTwoHundredValidInstances() throws {
        let folder = TestServers.projectRoot.appendingPathComponent("schemas")
        var schemas = 0
        for type in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
            let typeFolder = folder.appendingPathComponent(type)
            for file in (try? FileManager.default.contentsOfDirectory(atPath: typeFolder.path)) ?? [] where file.hasPrefix("v") && file.hasSuffix(".json") {
                let schema = try JSONSchema(parsing: String(contentsOf: typeFolder.appendingPathComponent(file), encoding: .utf8))
                var generator = InstanceGenerator(schema: schema, seed: 7)
                let instances = generator.instances(200)
                #expect(instances.count == 200, "\(type)/\(file)")
                #expect(instances.allSatisfy(schema.isValid))
                #expect(Set(instances).count > 100, "\(type)/\(file): instances should vary")
                schemas += 1
            }
        }
        #expect(schemas >= 32)
    }

    @Test func theSameSeedGivesTheSameInstances() throws {
        let schema = try JSONSchema(parsing: #"{"type":"object","properties":{"a":{"type":"string","pattern":"^[A-Za-z0-9._:/-]{1,200}$"},"b":{"type":"integer","minimum":3,"maximum":9}},"required":["a"]}"#)
        var first = InstanceGenerator(schema: schema, seed: 42), second = InstanceGenerator(schema: schema, seed: 42)
        var third = InstanceGenerator(schema: schema, seed: 43)
        let a = first.instances(50), b = second.instances(50), c = third.instances(50)
        #expect(a == b)
        #expect(a != c)
        #expect(a.count == 50)
    }

    @Test func combinatorsAndBoundsAreRespected() throws {
        let schema = try JSONSchema(parsing: """
        {"oneOf":[{"type":"object","properties":{"kind":{"const":"direct"},"to":{"type":"string","format":"uuid"}},"required":["kind","to"],"additionalProperties":false},
                  {"type":"object","properties":{"kind":{"const":"topic"},"topic":{"type":"string","pattern":"^t-[0-9]{2,4}$"}},"required":["kind","topic"],"additionalProperties":false}]}
        """)
        var generator = InstanceGenerator(schema: schema, seed: 1)
        let instances = generator.instances(100)
        #expect(instances.count == 100)
        #expect(Set(instances.compactMap { $0["kind"]?.stringValue }) == ["direct", "topic"])
    }
}

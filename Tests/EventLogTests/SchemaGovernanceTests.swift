import BerrysJSON
import EventLog
import Foundation
import JSONSchema
import Testing

/// Compatibility modes, upcasters declared as data, the proof on generated events and the
/// comparison with a published base, on schema folders written by the tests.
@Suite struct SchemaGovernanceTests {
    static func schema(_ version: Int, properties: String, required: [String] = ["id"], closed: Bool = true) -> String {
        """
        {"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://example.test/thing/v\(version).json","title":"Thing",
         "description":"A thing.","type":"object","properties":{\(properties)},
         "required":[\(required.map { "\"\($0)\"" }.joined(separator: ","))]\(closed ? #","additionalProperties":false"# : "")}
        """
    }

    static let v1 = schema(1, properties: #""id":{"type":"string","format":"uuid"},"name":{"type":"string","maxLength":50},"state":{"enum":["ON","OFF"]}"#)

    /// A schemas folder with `thing` v1…vN and the given extra files (relative path → text).
    static func folder(_ versions: [String], files: [String: String] = [:]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("schemas-\(UUID().uuidString)")
        let thing = root.appendingPathComponent("thing")
        try FileManager.default.createDirectory(at: thing.appendingPathComponent("upcasters"), withIntermediateDirectories: true)
        for (index, text) in versions.enumerated() { try text.write(to: thing.appendingPathComponent("v\(index + 1).json"), atomically: true, encoding: .utf8) }
        for (path, text) in files { try text.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8) }
        return root
    }

    static let id = "0b7c6a52-3c1d-4e5f-8a9b-1c2d3e4f5a6b"

    @Test func aCompatibleVersionNeedsNoUpcaster() throws {
        let v2 = Self.schema(2, properties: #""id":{"type":"string","format":"uuid"},"name":{"type":"string","maxLength":80},"state":{"enum":["ON","OFF","IDLE"]},"note":{"type":"string"}"#)
        let registry = try SchemaRegistry.load(from: try Self.folder([Self.v1, v2]))
        let old: JSON = .object(["id": .string(Self.id), "state": .string("ON")])
        let read = try registry.upcast(type: "thing", version: 1, data: old)
        #expect(read.version == 2 && read.data == old)
    }

    @Test func defaultsOfNewlyRequiredPropertiesAreFilledOnRead() throws {
        let v2 = Self.schema(2, properties: #""id":{"type":"string","format":"uuid"},"name":{"type":"string","maxLength":50},"state":{"enum":["ON","OFF"]},"tags":{"type":"array","default":[]}"#,
                             required: ["id", "tags"])
        let registry = try SchemaRegistry.load(from: try Self.folder([Self.v1, v2]))
        let read = try registry.upcast(type: "thing", version: 1, data: .object(["id": .string(Self.id)]))
        #expect(read.data == .object(["id": .string(Self.id), "tags": .array([])]))
        #expect(registry.steps.first?.reader?.origin == "defaults")
    }

    @Test func aBreakingVersionWithoutUpcasterIsRefusedWithTypeVersionsPointerAndRule() throws {
        let v2 = Self.schema(2, properties: #""id":{"type":"string","format":"uuid"},"name":{"type":"string","maxLength":20},"state":{"enum":["ON"]}"#)
        let error = #expect(throws: EventLogError.self) { try SchemaRegistry.load(from: try Self.folder([Self.v1, v2])) }
        #expect(error?.code == .registry)
        #expect(error?.message.contains("thing v1 → v2") == true)
        let details = error?.details ?? []
        #expect(details.contains { $0.contains("bound-tightened at /properties/name/maxLength") && $0.contains("Fix: keep maxLength at 50") })
        #expect(details.contains { $0.contains("enum-narrowed at /properties/state/enum") && $0.contains("\"OFF\"") })
        #expect(details.count == 2)
    }

    static let renamingV2 = schema(2, properties: #""id":{"type":"string","format":"uuid"},"title":{"type":"string","maxLength":50},"state":{"enum":["RUNNING","STOPPED"]},"labels":{"type":"array"}"#,
                                   required: ["id", "labels"])
    static let renamingUpcaster = #"""
    {"description":"name becomes title; states renamed; labels required",
     "steps":[{"rename":"/name","to":"/title"},{"map":"/state","values":{"ON":"RUNNING","OFF":"STOPPED"}},{"default":"/labels","value":[]}]}
    """#

    @Test func aDeclaredUpcasterMakesABreakingVersionReadable() throws {
        let folder = try Self.folder([Self.v1, Self.renamingV2], files: ["thing/upcasters/v1-to-v2.json": Self.renamingUpcaster])
        let registry = try SchemaRegistry.load(from: folder)
        let read = try registry.upcast(type: "thing", version: 1, data: .object(["id": .string(Self.id), "name": .string("n"), "state": .string("OFF")]))
        #expect(read.data == .object(["id": .string(Self.id), "title": .string("n"), "state": .string("STOPPED"), "labels": .array([])]))
        let set = try SchemaSet.load(from: folder)
        let proof = SchemaProof(registry.steps[0], in: set, instances: 200, seed: 0)
        #expect(proof.refusals.isEmpty, "\(proof.refusals)")
        #expect(proof.generated == 200)
    }

    @Test func theProofFindsAnUpcasterThatMissesACase() throws {
        let incomplete = #"{"steps":[{"rename":"/name","to":"/title"},{"map":"/state","values":{"ON":"RUNNING"}},{"default":"/labels","value":[]}]}"#
        let folder = try Self.folder([Self.v1, Self.renamingV2], files: ["thing/upcasters/v1-to-v2.json": incomplete])
        let set = try SchemaSet.load(from: folder)
        let step = try #require(try set.steps(swiftUpcasters: []).first)
        let proof = SchemaProof(step, in: set, instances: 200, seed: 0)
        let refusal = try #require(proof.refusals.first)
        #expect(refusal.rule == "upcaster-proof" && refusal.pointer == "/state")
        #expect(refusal.detail.contains("seed") && refusal.detail.contains("\"OFF\""))
        #expect(refusal.fix.contains("thing/upcasters/v1-to-v2.json"))
    }

    @Test func aSwiftUpcasterIsProvenToo() throws {
        let set = try SchemaSet.load(from: try Self.folder([Self.v1, Self.renamingV2]))
        let careless = Upcaster(type: "thing", fromVersion: 1) { data in data }
        let step = try #require(try set.steps(swiftUpcasters: [careless]).first)
        #expect(step.refusals.isEmpty)
        #expect(SchemaProof(step, in: set, instances: 50, seed: 0).refusals.first?.fix.contains("Swift") == true)
    }

    @Test func twoUpcastersForOneStepAreRefused() throws {
        let folder = try Self.folder([Self.v1, Self.renamingV2], files: ["thing/upcasters/v1-to-v2.json": Self.renamingUpcaster])
        let swift = Upcaster(type: "thing", fromVersion: 1) { $0 }
        let error = #expect(throws: EventLogError.self) { try SchemaRegistry.load(from: folder, upcasters: [swift]) }
        #expect(error?.message.contains("two upcasters") == true)
    }

    @Test func modesFullForwardAndNone() throws {
        let added = Self.schema(2, properties: #""id":{"type":"string","format":"uuid"},"name":{"type":"string","maxLength":50},"state":{"enum":["ON","OFF"]},"note":{"type":"string"}"#)
        func load(_ mode: String, _ versions: [String], upcaster: String? = nil) throws -> SchemaRegistry {
            var files = ["compatibility.json": #"{"default":"BACKWARD","types":{"thing":"\#(mode)"}}"#]
            if let upcaster { files["thing/upcasters/v1-to-v2.json"] = upcaster }
            return try SchemaRegistry.load(from: try Self.folder(versions, files: files))
        }
        // An optional property added under additionalProperties false: old readers refuse new events.
        #expect(throws: EventLogError.self) { try load("FORWARD", [Self.v1, added]) }
        #expect(throws: EventLogError.self) { try load("FULL", [Self.v1, added]) }
        _ = try load("BACKWARD", [Self.v1, added])
        // FULL does not accept an upcaster for a breaking change; NONE reads old events as they are.
        #expect(throws: EventLogError.self) { try load("FULL", [Self.v1, Self.renamingV2], upcaster: Self.renamingUpcaster) }
        let none = try load("NONE", [Self.v1, Self.renamingV2])
        #expect(none.steps.first?.refusals.isEmpty == true)
        let badMode = #expect(throws: EventLogError.self) {
            try SchemaRegistry.load(from: try Self.folder([Self.v1], files: ["compatibility.json": #"{"default":"SIDEWAYS"}"#]))
        }
        #expect(badMode?.message.contains("compatibility.json") == true && badMode?.message.contains("BACKWARD, FORWARD, FULL, NONE") == true)
    }

    @Test(arguments: [
        (#"{"steps":[{"rename":"/a"}]}"#, "\"to\" must be a JSON Pointer"),
        (#"{"steps":[{"rename":"/a","to":"/b","drop":"/c"}]}"#, "exactly one of"),
        (#"{"steps":[{"default":"/a"}]}"#, "needs a \"value\""),
        (#"{"steps":[{"map":"/a","values":["x"]}]}"#, "\"values\" must map"),
        (#"{"steps":[{"drop":"/a","vaule":1}]}"#, "unknown member(s) vaule"),
        (#"{"step":[]}"#, "needs \"steps\""),
        (#"{"steps":[{"set":"a","value":1}]}"#, "must be a JSON Pointer"),
    ]) func badUpcasterDeclarationsNameTheStepAndTheRule(_ text: String, _ expected: String) throws {
        let error = #expect(throws: EventLogError.self) { try DeclaredUpcaster(try JSON(parsing: text), file: "thing/upcasters/v1-to-v2.json") }
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        #expect(error?.message.hasPrefix("thing/upcasters/v1-to-v2.json") == true)
    }

    @Test func declaredStepsApplyInOrderOnNestedMembers() throws {
        let upcaster = try DeclaredUpcaster(try JSON(parsing: """
        {"steps":[{"rename":"/a/b","to":"/c/d"},{"set":"/kind","value":"k"},{"drop":"/old"},
                  {"map":"/level","values":{"hi":3},"otherwise":0},{"default":"/kind","value":"ignored"},{"rename":"/missing","to":"/x"}]}
        """), file: "f")
        let before = try JSON(parsing: #"{"a":{"b":1,"e":2},"old":true,"level":"lo"}"#)
        #expect(upcaster.apply(before) == (try JSON(parsing: #"{"a":{"e":2},"c":{"d":1},"kind":"k","level":0}"#)))
        #expect(upcaster.apply(try JSON(parsing: #"{"level":"hi"}"#)) == (try JSON(parsing: #"{"level":3,"kind":"k"}"#)))
    }

    @Test func upcasterFilesAreNamedOneStepAtATime() throws {
        let error = #expect(throws: EventLogError.self) {
            try SchemaSet.load(from: try Self.folder([Self.v1, Self.renamingV2], files: ["thing/upcasters/v1-to-v3.json": Self.renamingUpcaster]))
        }
        #expect(error?.message.contains("v<N>-to-v<N+1>.json") == true)
    }

    @Test func publishedVersionsEditedInPlaceAreRefusedAgainstTheBase() throws {
        let base = try SchemaSet.load(from: try Self.folder([Self.v1]))
        let tightened = Self.v1.replacingOccurrences(of: #""maxLength":50"#, with: #""maxLength":40"#)
        let refusals = try SchemaSet.load(from: try Self.folder([tightened])).refusals(againstBase: base)
        #expect(refusals.count == 1)
        #expect(refusals.first?.rule == "bound-tightened" && refusals.first?.pointer == "/properties/name/maxLength")
        #expect(refusals.first?.detail.contains("published v1 edited in place") == true)
        // A new optional property is fine in place; a newly required one is not, even with a default.
        let optional = Self.schema(1, properties: #""id":{"type":"string","format":"uuid"},"name":{"type":"string","maxLength":50},"state":{"enum":["ON","OFF"]},"n":{"type":"integer"}"#)
        #expect(try SchemaSet.load(from: try Self.folder([optional])).refusals(againstBase: base).isEmpty)
        let required = Self.schema(1, properties: #""id":{"type":"string","format":"uuid"},"name":{"type":"string","maxLength":50},"state":{"enum":["ON","OFF"]},"n":{"type":"integer","default":0}"#,
                                   required: ["id", "n"])
        #expect(try SchemaSet.load(from: try Self.folder([required])).refusals(againstBase: base).first?.rule == "required-added-with-default")
        // A removed version or type is refused.
        let removed = try SchemaSet.load(from: try Self.folder([Self.v1])).refusals(againstBase: try SchemaSet.load(from: try Self.folder([Self.v1, Self.renamingV2], files: ["thing/upcasters/v1-to-v2.json": Self.renamingUpcaster])))
        #expect(removed.map(\.rule) == ["version-removed"])
    }
}

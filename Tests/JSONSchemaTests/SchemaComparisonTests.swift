import BerrysJSON
import JSONSchema
import Testing

/// The compatibility rules, one schema pair per rule (breaking and compatible), each checked
/// for its verdict, its rule and its pointer; the compatible pairs are also proven sound on
/// generated instances (every old instance, with defaults filled, is valid under the new schema).
@Suite struct SchemaComparisonTests {
    struct Pair: CustomTestStringConvertible, Sendable {
        let name: String
        let old: String
        let new: String
        /// The breaking rule expected (nil: the pair is compatible).
        let breaking: SchemaChange.Rule?
        let pointer: String?
        var testDescription: String { name }
    }

    static func object(_ properties: String, required: [String] = [], closed: Bool = true) -> String {
        let names = required.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"type":"object","properties":{\#(properties)},"required":[\#(names)]\#(closed ? #","additionalProperties":false"# : "")}"#
    }

    static let pairs: [Pair] = [
        Pair(name: "type narrowed", old: #"{"type":["string","null"]}"#, new: #"{"type":"string"}"#, breaking: .typeNarrowed, pointer: "/type"),
        Pair(name: "number to integer", old: #"{"type":"number"}"#, new: #"{"type":"integer"}"#, breaking: .typeNarrowed, pointer: "/type"),
        Pair(name: "type widened", old: #"{"type":"integer"}"#, new: #"{"type":"number"}"#, breaking: nil, pointer: nil),
        Pair(name: "enum narrowed", old: #"{"enum":["a","b","c"]}"#, new: #"{"enum":["a","b"]}"#, breaking: .enumNarrowed, pointer: "/enum"),
        Pair(name: "enum widened", old: #"{"type":"string","enum":["a","b"]}"#, new: #"{"type":"string","enum":["a","b","c"]}"#, breaking: nil, pointer: nil),
        Pair(name: "enum added", old: #"{"type":"string"}"#, new: #"{"type":"string","enum":["a"]}"#, breaking: .enumNarrowed, pointer: "/enum"),
        Pair(name: "const changed", old: #"{"const":"a"}"#, new: #"{"const":"b"}"#, breaking: .constChanged, pointer: "/const"),
        Pair(name: "required added", old: object(#""a":{"type":"string"},"b":{"type":"string"}"#, required: ["a"]),
             new: object(#""a":{"type":"string"},"b":{"type":"string"}"#, required: ["a", "b"]), breaking: .requiredAdded, pointer: "/required"),
        Pair(name: "required added with a default", old: object(#""a":{"type":"string"}"#, required: ["a"]),
             new: object(#""a":{"type":"string"},"b":{"type":"string","default":"x"}"#, required: ["a", "b"]), breaking: nil, pointer: nil),
        Pair(name: "required with a default inside array items",
             old: #"{"type":"array","items":\#(object(#""a":{"type":"string"}"#, required: ["a"]))}"#,
             new: #"{"type":"array","items":\#(object(#""a":{"type":"string"},"b":{"type":"string","default":"x"}"#, required: ["a", "b"]))}"#,
             breaking: .requiredAdded, pointer: "/items/required"),
        Pair(name: "property removed under additionalProperties false", old: object(#""a":{"type":"string"},"b":{"type":"integer"}"#),
             new: object(#""a":{"type":"string"}"#), breaking: .propertyRemoved, pointer: "/properties/b"),
        Pair(name: "property removed, still allowed", old: object(#""a":{"type":"string"},"b":{"type":"integer"}"#, closed: false),
             new: object(#""a":{"type":"string"}"#, closed: false), breaking: nil, pointer: nil),
        Pair(name: "optional property added", old: object(#""a":{"type":"string"}"#),
             new: object(#""a":{"type":"string"},"b":{"type":"integer","minimum":0}"#), breaking: nil, pointer: nil),
        Pair(name: "property constrained where any was allowed", old: object(#""a":{"type":"string"}"#, closed: false),
             new: object(#""a":{"type":"string"},"b":{"type":"integer"}"#, closed: false), breaking: .propertyConstrained, pointer: "/properties/b"),
        Pair(name: "additionalProperties closed", old: object(#""a":{"type":"string"}"#, closed: false),
             new: object(#""a":{"type":"string"}"#), breaking: .additionalPropertiesClosed, pointer: "/additionalProperties"),
        Pair(name: "maxLength tightened", old: #"{"type":"string","maxLength":200}"#, new: #"{"type":"string","maxLength":100}"#,
             breaking: .boundTightened, pointer: "/maxLength"),
        Pair(name: "minLength added", old: #"{"type":"string"}"#, new: #"{"type":"string","minLength":1}"#, breaking: .boundTightened, pointer: "/minLength"),
        Pair(name: "maxLength loosened", old: #"{"type":"string","maxLength":100}"#, new: #"{"type":"string","maxLength":200}"#, breaking: nil, pointer: nil),
        Pair(name: "minimum made exclusive", old: #"{"type":"integer","minimum":0}"#, new: #"{"type":"integer","exclusiveMinimum":0}"#,
             breaking: .boundTightened, pointer: "/minimum"),
        Pair(name: "maximum removed", old: #"{"type":"number","maximum":10}"#, new: #"{"type":"number"}"#, breaking: nil, pointer: nil),
        Pair(name: "maxItems tightened", old: #"{"type":"array","maxItems":5}"#, new: #"{"type":"array","maxItems":4}"#, breaking: .boundTightened, pointer: "/maxItems"),
        Pair(name: "multipleOf not a divisor", old: #"{"type":"integer","multipleOf":2}"#, new: #"{"type":"integer","multipleOf":4}"#,
             breaking: .multipleOfChanged, pointer: "/multipleOf"),
        Pair(name: "multipleOf a divisor", old: #"{"type":"integer","multipleOf":4}"#, new: #"{"type":"integer","multipleOf":2}"#, breaking: nil, pointer: nil),
        Pair(name: "pattern added", old: #"{"type":"string"}"#, new: #"{"type":"string","pattern":"^[a-z]+$"}"#, breaking: .patternChanged, pointer: "/pattern"),
        Pair(name: "pattern removed", old: #"{"type":"string","pattern":"^[a-z]{1,8}$"}"#, new: #"{"type":"string"}"#, breaking: nil, pointer: nil),
        Pair(name: "format added", old: #"{"type":"string"}"#, new: #"{"type":"string","format":"uuid"}"#, breaking: .formatChanged, pointer: "/format"),
        Pair(name: "uniqueItems added", old: #"{"type":"array"}"#, new: #"{"type":"array","uniqueItems":true}"#, breaking: .uniqueItemsAdded, pointer: "/uniqueItems"),
        Pair(name: "dependency added", old: object(#""a":{"type":"string"},"b":{"type":"string"}"#),
             new: #"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":false,"dependentRequired":{"a":["b"]}}"#,
             breaking: .dependencyAdded, pointer: "/dependentRequired/a"),
        Pair(name: "oneOf changed", old: #"{"oneOf":[{"type":"string"},{"type":"integer"}]}"#, new: #"{"oneOf":[{"type":"string"},{"type":"boolean"}]}"#,
             breaking: .combinatorChanged, pointer: "/oneOf"),
        Pair(name: "anyOf alternative appended", old: #"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#,
             new: #"{"anyOf":[{"type":"string"},{"type":"integer"},{"type":"boolean"}]}"#, breaking: nil, pointer: nil),
        Pair(name: "nested bound tightened", old: object(#""x":\#(object(#""y":{"type":"string","maxLength":9}"#, required: ["y"]))"#),
             new: object(#""x":\#(object(#""y":{"type":"string","maxLength":8}"#, required: ["y"]))"#),
             breaking: .boundTightened, pointer: "/properties/x/properties/y/maxLength"),
        Pair(name: "item type narrowed", old: #"{"type":"array","items":{"type":["string","integer"]}}"#, new: #"{"type":"array","items":{"type":"string"}}"#,
             breaking: .typeNarrowed, pointer: "/items/type"),
        Pair(name: "through a $ref", old: ##"{"$defs":{"name":{"type":"string","maxLength":9}},"type":"object","properties":{"n":{"$ref":"#/$defs/name"}}}"##,
             new: ##"{"$defs":{"name":{"type":"string","maxLength":5}},"type":"object","properties":{"n":{"$ref":"#/$defs/name"}}}"##,
             breaking: .boundTightened, pointer: "/properties/n/maxLength"),
        Pair(name: "everything allowed, then constrained", old: #"{"description":"any"}"#, new: #"{"type":"string"}"#, breaking: .schemaConstrained, pointer: "/"),
        Pair(name: "annotations only", old: #"{"type":"string","description":"old","title":"A"}"#,
             new: #"{"type":"string","description":"new","x-berrys-note":"n"}"#, breaking: nil, pointer: nil),
    ]

    @Test(arguments: pairs) func eachPairGetsItsVerdict(_ pair: Pair) throws {
        let changes = SchemaComparison.changes(from: try JSON(parsing: pair.old), to: try JSON(parsing: pair.new))
        let breaking = changes.filter(\.isBreaking)
        if let rule = pair.breaking {
            #expect(breaking.contains { $0.rule == rule && $0.pointer == pair.pointer }, "\(changes)")
            #expect(breaking.allSatisfy { $0.fix?.isEmpty == false }, "every breaking change says what would fix it")
        } else {
            #expect(breaking.isEmpty, "\(breaking)")
            #expect(!changes.isEmpty, "a changed pair reports its compatible changes")
        }
    }

    /// Soundness: what the comparison calls compatible really accepts every old instance.
    @Test(arguments: pairs.filter { $0.breaking == nil }) func compatiblePairsAcceptGeneratedOldInstances(_ pair: Pair) throws {
        let old = try JSONSchema(parsing: pair.old), new = try JSONSchema(parsing: pair.new)
        let defaults = SchemaComparison.changes(from: old.document, to: new.document).compactMap(\.filledDefault)
        var generator = InstanceGenerator(schema: old, seed: SeededRandom.seed(pair.name))
        let instances = generator.instances(200)
        #expect(instances.count == 200)
        for instance in instances {
            var read = instance
            for filled in defaults where read[String(filled.instancePointer.dropFirst())] == nil {
                if case .object(var members) = read { members[String(filled.instancePointer.dropFirst())] = filled.value; read = .object(members) }
            }
            #expect(new.isValid(read), "\(instance.serialized)")
        }
    }

    @Test func identicalSchemasHaveNoChanges() throws {
        let schema = try JSON(parsing: Self.object(#""a":{"type":"string"}"#, required: ["a"]))
        #expect(SchemaComparison.changes(from: schema, to: schema).isEmpty)
    }

    @Test func aRenameIsSuggested() throws {
        let changes = SchemaComparison.changes(from: try JSON(parsing: Self.object(#""type":{"type":"string"}"#)),
                                               to: try JSON(parsing: Self.object(#""kind":{"type":"string"}"#)))
        #expect(changes.contains { $0.rule == .propertyRemoved && $0.detail.contains("renamed to 'kind'") })
    }
}

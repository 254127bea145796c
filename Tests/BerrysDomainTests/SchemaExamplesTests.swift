import ProcessSupport
import BerrysDomain
import BerrysFoundation
import BerrysJSON
import EventLog
import Foundation
import JSONSchema
import TestSupport
import Testing

/// Every schema is valid 2020-12 for Python's jsonschema, and every example gets the same
/// verdict from the Swift validator, from Python's jsonschema, and from its file name.
@Suite struct SchemaExamplesTests {
    static let schemasFolder = TestServers.projectRoot.appendingPathComponent("schemas")

    struct Example {
        let path: String
        let type: String
        let version: Int
        let expectedValid: Bool
    }

    static func examples() throws -> [Example] {
        var found: [Example] = []
        for type in try FileManager.default.contentsOfDirectory(atPath: schemasFolder.path) {
            let folder = schemasFolder.appendingPathComponent(type).appendingPathComponent("examples")
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where file.hasSuffix(".json") {
                let parts = file.split(separator: ".")
                guard parts.count >= 3, let version = Int(parts[0].dropFirst()) else { continue }
                found.append(Example(path: folder.appendingPathComponent(file).path, type: type, version: version,
                                     expectedValid: parts[1] == "valid"))
            }
        }
        return found.sorted { $0.path < $1.path }
    }

    @Test func everyTypeHasValidAndInvalidExamples() throws {
        let examples = try Self.examples()
        for type in TestLog.registry.types {
            for version in TestLog.registry.schemas[type]!.keys {
                let mine = examples.filter { $0.type == type && $0.version == version }
                #expect(mine.contains { $0.expectedValid }, "\(type) v\(version) has no valid example")
                #expect(mine.contains { !$0.expectedValid }, "\(type) v\(version) has no invalid example")
            }
        }
    }

    @Test func swiftAndPythonAgreeWithTheFileNames() async throws {
        let examples = try Self.examples()
        let script = """
        import json, sys, glob, os
        from jsonschema import Draft202012Validator, FormatChecker
        root = sys.argv[1]
        verdicts = {}
        for schema_path in glob.glob(os.path.join(root, '*', 'v*.json')):
            schema = json.load(open(schema_path))
            Draft202012Validator.check_schema(schema)
            validator = Draft202012Validator(schema, format_checker=FormatChecker())
            folder, name = os.path.split(schema_path)
            for example in glob.glob(os.path.join(folder, 'examples', name[:-5] + '.*.json')):
                verdicts[example] = validator.is_valid(json.load(open(example)))
        print(json.dumps(verdicts))
        """
        let folder = Self.schemasFolder.path
        let output = try await Blocking.run { try TestServers.run("python3", ["-c", script, folder]) }
        let python = try JSON(parsing: output).objectValue ?? [:]
        #expect(python.count == examples.count)
        for example in examples {
            let data = try JSON(parsing: String(contentsOfFile: example.path, encoding: .utf8))
            let swift = try TestLog.registry.schema(type: example.type, version: example.version).isValid(data)
            #expect(swift == example.expectedValid, "Swift: \(example.path)")
            #expect(python[example.path]?.boolValue == example.expectedValid, "Python: \(example.path)")
        }
    }

    @Test func upcastV1ExamplesAreValidV2() throws {
        for example in try Self.examples() where example.expectedValid && example.version < (TestLog.registry.newestVersion(of: example.type) ?? 0) {
            let data = try JSON(parsing: String(contentsOfFile: example.path, encoding: .utf8))
            let (version, upcast) = try TestLog.registry.upcast(type: example.type, version: example.version, data: data)
            let errors = try TestLog.registry.schema(type: example.type, version: version).validate(upcast)
            #expect(errors.isEmpty, "\(example.path) upcast: \(errors)")
        }
    }
}

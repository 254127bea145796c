import BerrysJSON
import Foundation
import JSONSchema
import TestSupport
import Testing

/// Runs the official JSON-Schema-Test-Suite (draft 2020-12) files of every supported keyword.
@Suite struct OfficialSuiteTests {
    static let suiteFolder: URL = {
        if let path = ProcessInfo.processInfo.environment["BERRYS_JSON_SCHEMA_SUITE"] {
            return URL(fileURLWithPath: path)
        }
        // Vendored with its licence (Tests/Fixtures/json-schema-test-suite/README.md), so that
        // a clone passes alone.
        return TestServers.projectRoot
            .appendingPathComponent("Tests/Fixtures/json-schema-test-suite/tests/draft2020-12")
    }()

    @Test(arguments: SuiteCatalog.files)
    func suiteFilePasses(_ file: String) throws {
        let url = Self.suiteFolder.appendingPathComponent(file)
        let groups = try JSON(parsing: String(contentsOf: url, encoding: .utf8)).arrayValue ?? []
        #expect(!groups.isEmpty, "no test groups in \(url.path)")
        var ran = 0
        for group in groups {
            let groupName = group["description"]?.stringValue ?? "?"
            let key = "\(file): \(groupName)"
            let skip = SuiteCatalog.skipped[key]
            let schema: JSONSchema
            do {
                schema = try JSONSchema(group["schema"]!)
            } catch {
                if skip == nil { Issue.record("\(key): schema refused: \(error)") }
                continue
            }
            for test in group["tests"]?.arrayValue ?? [] {
                let expected = test["valid"]?.boolValue ?? false
                let errors = schema.validate(test["data"]!)
                if errors.isEmpty != expected, skip == nil {
                    Issue.record("\(key) / \(test["description"]?.stringValue ?? "?"): expected valid=\(expected), got \(errors)")
                }
                if skip == nil { ran += 1 }
            }
        }
        #expect(ran > 0, "\(file): every case was skipped")
    }

    @Test func everySkippedGroupIsReallyOutsideTheSubset() throws {
        for (key, reason) in SuiteCatalog.skipped {
            let parts = key.components(separatedBy: ": ")
            let file = parts[0], groupName = parts.dropFirst().joined(separator: ": ")
            let url = Self.suiteFolder.appendingPathComponent(file)
            let groups = try JSON(parsing: String(contentsOf: url, encoding: .utf8)).arrayValue ?? []
            guard let group = groups.first(where: { $0["description"]?.stringValue == groupName }) else {
                Issue.record("skip list names a group that does not exist: \(key)")
                continue
            }
            let schema = try? JSONSchema(group["schema"]!)
            let allPass = schema.map { schema in
                (group["tests"]?.arrayValue ?? []).allSatisfy { schema.isValid($0["data"]!) == ($0["valid"]?.boolValue ?? false) }
            } ?? false
            #expect(!allPass, "\(key) is skipped (\(reason)) but passes: remove it from the skip list")
        }
    }
}

import BerrysJSON
import Foundation
import TestSupport
import Testing

/// `berrys schemas check` and `diff` end to end, on copies of the project's schemas: what a
/// team runs on its own pull requests.
@Suite struct SchemasCheckCommandTests {
    let binary = TestServers.projectRoot.appendingPathComponent(".build/debug/berrys").path

    func berrys(_ arguments: [String], schemas: URL) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await TestServers.runCapturingOffPool(binary, arguments, environment: ["BERRYS_SCHEMAS_DIR": schemas.path])
    }

    /// A copy of the project's schemas in a fresh folder.
    func copyOfTheSchemas() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("berrys-schemas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let copy = root.appendingPathComponent("schemas")
        try FileManager.default.copyItem(at: TestServers.projectRoot.appendingPathComponent("schemas"), to: copy)
        return copy
    }

    func edit(_ file: URL, _ change: (inout [String: JSON]) -> Void) throws {
        guard var members = try JSON(parsing: String(contentsOf: file, encoding: .utf8)).objectValue else { return }
        change(&members)
        try JSON.object(members).serialized.write(to: file, atomically: true, encoding: .utf8)
    }

    func property(_ name: String, _ schema: JSON, in members: inout [String: JSON]) {
        guard case .object(var properties)? = members["properties"] else { return }
        properties[name] = schema
        members["properties"] = .object(properties)
    }

    @Test func theProjectsOwnSchemasPassWithTheirUpcasterProven() async throws {
        let result = try await berrys(["schemas", "check"], schemas: TestServers.projectRoot.appendingPathComponent("schemas"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("agent.created v1 → v2 (BACKWARD): 9 change(s), 3 breaking, upcaster agent.created/upcasters/v1-to-v2.json, proven on 1 example(s) + 200 generated event(s)"))
        #expect(result.stdout.contains("ok: 31 event types, 32 schema versions, 1 step(s) proven"))
    }

    @Test func anOptionalFieldNeedsNoCodeAndATightenedOneIsRefused() async throws {
        let schemas = try copyOfTheSchemas()
        let v2 = schemas.appendingPathComponent("project.created/v2.json")
        try FileManager.default.copyItem(at: schemas.appendingPathComponent("project.created/v1.json"), to: v2)
        try edit(v2) { members in
            members["$id"] = .string("https://schemas.berrys.dev/project.created/v2.json")
            property("budget", .object(["type": .string("integer"), "minimum": .number(0)]), in: &members)
        }
        let compatible = try await berrys(["schemas", "check"], schemas: schemas)
        #expect(compatible.status == 0, "\(compatible.stderr)")
        #expect(compatible.stdout.contains("project.created v1 → v2 (BACKWARD): 1 change(s), 0 breaking, read as is, proven on 1 example(s) + 200 generated event(s)"))

        try edit(v2) { members in property("name", .object(["type": .string("string"), "minLength": .number(1), "maxLength": .number(100)]), in: &members) }
        let breaking = try await berrys(["schemas", "check"], schemas: schemas)
        #expect(breaking.status == 1)
        #expect(breaking.stderr.contains("BERRYS_INCOMPATIBLE: project.created v1 → v2: bound-tightened at /properties/name/maxLength: not BACKWARD compatible: maxLength 200 → 100. Fix: keep maxLength at 200"))
        #expect(breaking.stderr.contains("schemas/project.created/upcasters/v1-to-v2.json"))

        let diff = try await berrys(["schemas", "diff", "project.created", "--json"], schemas: schemas)
        let changes = try JSON(parsing: diff.stdout).arrayValue ?? []
        #expect(changes.contains { $0["rule"]?.stringValue == "bound-tightened" && $0["breaking"]?.boolValue == true && $0["pointer"]?.stringValue == "/properties/name/maxLength" })
        #expect(changes.contains { $0["rule"]?.stringValue == "property-added" && $0["breaking"]?.boolValue == false })
        let text = try await berrys(["schemas", "diff", "project.created", "v1", "v2"], schemas: schemas)
        #expect(text.stdout.contains("1 breaking, 1 compatible"), "\(text.stdout)")
    }

    @Test func againstAGitRefAPublishedVersionEditedInPlaceIsRefused() async throws {
        let schemas = try copyOfTheSchemas()
        let repository = schemas.deletingLastPathComponent()
        for arguments in [["init", "-q"], ["add", "schemas"], ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base"]] {
            let git = try await TestServers.runCapturingOffPool("/usr/bin/git", ["-C", repository.path] + arguments)
            #expect(git.status == 0, "\(git.stderr)")
        }
        let unchanged = try await berrys(["schemas", "check", "--against", "HEAD"], schemas: schemas)
        #expect(unchanged.status == 0, "\(unchanged.stderr)")
        #expect(unchanged.stdout.contains("against HEAD: every published version is unchanged or compatibly edited"))

        try edit(schemas.appendingPathComponent("task.created/v1.json")) { members in
            members["required"] = .array(((members["required"]?.arrayValue) ?? []) + [.string("description")])
        }
        let edited = try await berrys(["schemas", "check", "--against", "HEAD"], schemas: schemas)
        #expect(edited.status == 1)
        #expect(edited.stderr.contains("task.created v1 → v1: required-added at /required: published v1 edited in place"), "\(edited.stderr)")
        let folder = try await berrys(["schemas", "check", "--against", TestServers.projectRoot.path], schemas: schemas)
        #expect(folder.status == 1)
        let badRef = try await berrys(["schemas", "check", "--against", "no-such-ref"], schemas: schemas)
        #expect(badRef.status == 78)
        #expect(badRef.stderr.contains("cannot read the base schemas"))
    }
}

import BerrysJSON
import Foundation
import TestSupport
import Testing

/// `berrys schemas asyncapi` validates against the official AsyncAPI 3.0 JSON Schema, and lists
/// every type (newest schema, versions), worker, connector and projection.
@Suite struct AsyncAPICatalogTests {
    @Test func theCatalogIsValidAsyncAPIAndListsEveryTypeWorkerConnectorAndProjection() async throws {
        let connectors = FileManager.default.temporaryDirectory.appendingPathComponent("asyncapi-connectors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: connectors, withIntermediateDirectories: true)
        try "url: http://127.0.0.1:9/hook\ntypes: [agent.execution.*, task.created]\n".write(to: connectors.appendingPathComponent("audit.yaml"),
                                                                                         atomically: true, encoding: .utf8)
        let binary = TestServers.projectRoot.appendingPathComponent(".build/debug/berrys").path
        let result = try await TestServers.runCapturingOffPool(binary, ["schemas", "asyncapi"], environment: [
            "BERRYS_SCHEMAS_DIR": TestServers.projectRoot.appendingPathComponent("schemas").path,
            "BERRYS_PROJECTIONS_DIR": TestServers.projectRoot.appendingPathComponent("projections").path,
            "BERRYS_CONNECTORS_DIR": connectors.path, "BERRYS_PARTITIONS": "3", "BERRYS_NAMESPACE": "cat",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let problems = try await AsyncAPIValidation.problems(of: result.stdout)
        #expect(problems.isEmpty, "\(problems)")
        let document = try JSON(parsing: result.stdout)
        let messages = document["components"]?["messages"]?.objectValue ?? [:]
        #expect(messages.count == 31)
        #expect(messages["agent.created"]?["x-berrys-versions"]?.arrayValue?.count == 2)
        #expect(messages["agent.created"]?["payload"]?["schema"]?["$id"] == .string("https://schemas.berrys.dev/agent.created/v2.json"))
        #expect(messages["agent.created"]?["x-berrys-consumers"]?.arrayValue?.contains(.string("worker:agent-lifecycle")) == true)
        #expect(messages["task.overdue"]?["x-berrys-producers"]?.arrayValue == [.string("worker:deadlines")])
        #expect(document["channels"]?["partitions"]?["address"] == .string("cat:events:{partition}"))
        #expect(document["channels"]?["partitions"]?["parameters"]?["partition"]?["enum"] == .array([.string("{0}"), .string("{1}"), .string("{2}")]))
        let operations = Set(document["operations"]?.objectValue?.keys.map { $0 } ?? [])
        for worker in ["agent-lifecycle", "planning-to-agent", "execution-to-task", "message-router", "deadlines"] {
            #expect(operations.contains("worker.\(worker).receive") && operations.contains("worker.\(worker).send"), "\(worker)")
        }
        #expect(operations.contains("connector.audit.receive"))
        let audit = document["operations"]?["connector.audit.receive"]?["messages"]?.arrayValue?.compactMap { $0["$ref"]?.stringValue } ?? []
        #expect(audit.contains("#/channels/partitions/messages/task.created") && audit.contains("#/channels/partitions/messages/agent.execution.queued"))
        #expect(operations.contains("projection.agents.receive"))
        #expect(document["operations"]?["projection.archive.receive"]?["messages"]?.arrayValue?.count == 31, "the archive takes every type")
        #expect(operations.isSuperset(of: ["publish", "stream"]))
    }

    @Test func aBrokenDocumentIsCaught() async throws {
        // The validator is not a check that cannot fail.
        let problems = try await AsyncAPIValidation.problems(of: ##"{"asyncapi":"3.0.0","info":{"title":"t"},"operations":{"x":{"action":"listen","channel":{"$ref":"#/channels/none"}}}}"##)
        #expect(problems.contains { $0.contains("info") && $0.contains("version") })
        #expect(problems.contains { $0.contains("listen") })
        #expect(problems.contains { $0.contains("unresolved $ref #/channels/none") })
    }
}

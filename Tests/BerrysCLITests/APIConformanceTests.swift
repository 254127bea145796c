import ProcessSupport
import BerrysFoundation
import Foundation
import TestSupport
import Testing

/// `berrys run` serving the API on real servers, checked by schemathesis against openapi.json:
/// no server errors, every status and body as documented, input the document forbids refused.
@Suite struct APIConformanceTests {
    @Test func theLiveAPIConformsToItsOpenAPIDocument() async throws {
        let port = try TestServers.freePort()
        let environment = try await apiServerEnvironment(port: port, namespace: "oas", extra: ["BERRYS_CONSISTENCY_TIMEOUT_MS": "100"])
        let binary = ProjectorProcessTests.binary
        // Some data, so that reads find rows: every schema example.
        let examples = try FileManager.default.contentsOfDirectory(atPath: TestServers.projectRoot.appendingPathComponent("schemas").path)
        var lines: [String] = []
        for type in examples.sorted() {
            let file = TestServers.projectRoot.appendingPathComponent("schemas/\(type)/examples/v1.valid.json")
            guard let data = try? String(contentsOf: file, encoding: .utf8) else { continue }
            let compact = data.replacingOccurrences(of: "\n", with: " ")
            lines.append(#"{"specversion":"1.0","id":"\#(UUID().uuidString)","source":"t","type":"\#(type)","dataversion":"1","data":\#(compact)}"#)
        }
        _ = try await TestServers.runCapturingOffPool(binary, ["publish", "--file", "-"], input: lines.joined(separator: "\n"), environment: environment)
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("api-\(UUID().uuidString).log").path
        let server = try BackgroundProcess.start(binary, ["run"], environment: environment, logPath: log)
        let result = try? await TestServers.runCapturingOffPool("schemathesis", [
            "run", "http://127.0.0.1:\(port)/openapi.json", "--wait-for-schema", "30",
            // Positive and negative cases (the default mode, all): invalid input must be refused too.
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection",
            "--max-examples", "25", "--phases", "examples,coverage,stateful,fuzzing", "--seed", "42",
            // An endless event stream cannot be read to its end; StreamTests check it.
            "--exclude-path", "/v1/stream",
        ], environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory(),
                         "SCHEMATHESIS_TELEMETRY": "false", "NO_COLOR": "1"])
        let stopped = await server.stopped(signal: SIGTERM)
        let outcome = try #require(result, "schemathesis could not be run (is it installed? scripts/test installs it)")
        #expect(outcome.status == 0, "schemathesis:\n\(outcome.stdout.suffix(4000))\n\(outcome.stderr.suffix(2000))")
        #expect(outcome.stdout.contains("passed"), "\(outcome.stdout.suffix(2000))")
        #expect(stopped == 0, "berrys run did not stop cleanly on SIGTERM")
    }
}

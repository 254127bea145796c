import ProcessSupport
import BerrysFoundation
import Foundation
import TestSupport
import Testing

/// `berrys run` with API tokens under the hand-written hostile input of Tests/Hostile/hostile_http.py
/// (oversized headers and bodies, slowloris, invalid UTF-8, 10k-deep JSON, huge numbers,
/// duplicate keys, SQL metacharacters in filters, tampered cursors, wrong-scope tokens,
/// contradictory framing): every answer as expected, no 5xx, the server still up, its memory
/// flat, and a clean exit on SIGTERM.
@Suite struct HostileHTTPTests {
    @Test func hostileInputIsRefusedAndTheServerStaysUpWithFlatMemory() async throws {
        let port = try TestServers.freePort()
        let environment = try await apiServerEnvironment(port: port, namespace: "hostile",
                                                         extra: ["BERRYS_API_TOKENS": "read:hostile-read,publish:hostile-publish"])
        let binary = ProjectorProcessTests.binary
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).log").path
        let server = try BackgroundProcess.start(binary, ["run"], environment: environment, logPath: log)
        let script = TestServers.projectRoot.appendingPathComponent("Tests/Hostile/hostile_http.py").path
        let outcome: (status: Int32, stdout: String, stderr: String)
        do {
            // Ready, not just alive: the cases expect the read models built (before that a read
            // answers 503 not_ready, which ReadinessTests covers).
            try await eventually("berrys run is ready", every: .milliseconds(200)) {
                (try? await TestServers.runCapturingOffPool("curl", ["-fsS", "http://127.0.0.1:\(port)/health/readiness"]))?.status == 0
            }
            outcome = try await TestServers.runCapturingOffPool("python3", [script, String(port), String(server.pid), "hostile-read", "hostile-publish"])
        } catch {
            _ = await server.stopped(signal: SIGKILL)
            throw error
        }
        let stopped = await server.stopped(signal: SIGTERM)
        let serverLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(outcome.status == 0, """
            hostile_http.py:\n\(outcome.stdout.suffix(4000))\n\(outcome.stderr.suffix(2000))
            berrys run's errors:\n\(serverLog.split(separator: "\n").filter { $0.contains(" error ") }.suffix(20).joined(separator: "\n"))
            """)
        #expect(outcome.stdout.contains("hostile HTTP: all cases passed"))
        #expect(stopped == 0, "berrys run did not stop cleanly on SIGTERM (log: \(log))")
    }
}

import ProcessSupport
import BerrysFoundation
import Foundation
import TestSupport
import Testing

/// The web console in a real browser: `berrys run` with demo data and a dead letter, checked by
/// Tests/Browser/console_test.py (Debian's chromium and chromium-driver, driven by selenium; the
/// test command installs them). Screenshots go to .build/console-screenshots.
@Suite struct ConsoleBrowserTests {
    @Test func everyConsolePageRendersItsDataInARealBrowser() async throws {
        let port = try TestServers.freePort()
        let environment = try await apiServerEnvironment(port: port, namespace: "console")
        let binary = ProjectorProcessTests.binary
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("console-\(UUID().uuidString).log").path
        // One delivery per event, so that the orphan below is dead-lettered at once.
        let server = try BackgroundProcess.start(binary, ["run", "--max-deliveries", "1"], environment: environment, logPath: log)
        let script = TestServers.projectRoot.appendingPathComponent("Tests/Browser/console_test.py").path
        let screenshots = TestServers.projectRoot.appendingPathComponent(".build/console-screenshots").path
        let orphan = "orphan-\(UUID().uuidString.lowercased())"
        let outcome: (status: Int32, stdout: String, stderr: String)
        do {
            try await eventually("berrys run is ready", every: .milliseconds(200)) {
                (try? await TestServers.runCapturingOffPool("curl", ["-fsS", "http://127.0.0.1:\(port)/health/readiness"]))?.status == 0
            }
            let demo = try await TestServers.runCapturingOffPool(binary, ["demo"], environment: environment)
            #expect(demo.status == 0, "berrys demo: \(demo.stderr)")
            // A task assignment for a task nobody created: planning-to-agent dead-letters it.
            let task = UUID().uuidString.lowercased()
            let data = #"{"task_id":"\#(task)","plan_id":"\#(task)","agent_id":"\#(task)"}"#
            let published = try await TestServers.runCapturingOffPool(binary, ["publish", "task.assigned", "--data", data, "--id", orphan],
                                                                      environment: environment)
            #expect(published.status == 0, "\(published.stderr)")
            outcome = try await TestServers.runCapturingOffPool("python3", [script, "--url", "http://127.0.0.1:\(port)", "--orphan", orphan,
                                                                            "--screenshots", screenshots])
        } catch {
            _ = await server.stopped(signal: SIGKILL)
            throw error
        }
        let stopped = await server.stopped(signal: SIGTERM)
        #expect(outcome.status == 0, """
            console_test.py (screenshots in \(screenshots)):
            \(outcome.stdout.suffix(4000))\n\(outcome.stderr.suffix(3000))
            """)
        #expect(outcome.stdout.contains("every console check passed"))
        #expect(stopped == 0, "berrys run did not stop cleanly on SIGTERM (log: \(log))")
    }
}

import EventLog
import Foundation
import TestSupport
import Testing

/// A peer library's own tests against Berrys: the Python `eventsourcing` library's
/// `AggregateRecorderTestCase`, unchanged, on a recorder that writes each `insert_events` call
/// as one `berrys_append_atomic` set (Tests/Interop/eventsourcing_recorder.py). Its checks that a
/// batch is written all or nothing and that no version is recorded twice pass because the log
/// enforces them, not the adapter.
@Suite struct PeerLibraryTests {
    @Test func theEventsourcingLibrarysRecorderTestsPass() async throws {
        let log = try await TestLog.open(partitions: 4)
        let script = TestServers.projectRoot.appendingPathComponent("Tests/Interop/eventsourcing_recorder.py").path
        let outcome = try await TestServers.runCapturingOffPool("python3", ["-m", "unittest", "-v", script], environment: [
            "BERRYS_TEST_REDIS_URL": TestServers.redisURL, "ES_NAMESPACE": log.configuration.namespace, "ES_PARTITIONS": "4",
        ])
        #expect(outcome.status == 0, "\(outcome.stdout.suffix(3000))\n\(outcome.stderr.suffix(3000))")
        #expect(outcome.stderr.contains("test_insert_and_select") && outcome.stderr.contains("\nOK"), "\(outcome.stderr.suffix(3000))")
    }
}

import BerrysFoundation
import BerrysRuntime
import Foundation
import Logging
import Synchronization

/// The test process's own stall detector: when `BERRYS_TEST_STALL_LOG` names a file (the full
/// suite's `scripts/test` does), every stall of the process (a wake-up 250 ms late or more) is
/// appended to it as `unix-time <tab> probe <tab> seconds`, and `scripts/test` sums them up at
/// the end. That tells a blocked cooperative pool (the `task` probe alone) from a process that
/// did not get the CPU (both probes).
enum TestStallLog {
    /// Started on first use, for the life of the test process.
    static let started: Void = {
        guard let path = ProcessInfo.processInfo.environment["BERRYS_TEST_STALL_LOG"], !path.isEmpty else { return }
        // Appended to: scripts/test runs two test processes (the parallel suite, then the
        // browser test) into one log.
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { return }
        }
        guard let file = FileHandle(forWritingAtPath: path) else { return }
        file.seekToEndOfFile()
        let writer = Mutex(file)
        var logger = Logger(label: "test.stalls")
        logger.logLevel = .error  // the file is the report; the test output stays readable
        let detector = StallDetector(clock: ContinuousClock(), logger: logger) { stall in
            let line = String(format: "%.3f\t%@\t%.3f\n", Date().timeIntervalSince1970, stall.probe.rawValue, stall.lateness.inSeconds)
            writer.withLock { $0.write(Data(line.utf8)) }
        }
        // Runs until the test process exits: the one detector of the process, for all its tests.
        Task.detached { try await detector.run() }
    }()
}

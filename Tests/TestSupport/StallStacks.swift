import Foundation
import ProcessSupport
import Synchronization

/// A diagnostic for the stalls of the test process: when `BERRYS_TEST_STALL_STACKS` names a
/// folder, a task on the cooperative pool beats every 100 ms and a thread of its own watches
/// it; when the beat is 1.5 s overdue (the pool is blocked), the thread has gdb print every
/// thread's stack into the folder, once per stall. The stacks show what holds the cooperative
/// threads. Off unless asked for (gdb stops the process while it reads it).
enum StallStacks {
    static let started: Void = {
        guard let folder = ProcessInfo.processInfo.environment["BERRYS_TEST_STALL_STACKS"], !folder.isEmpty else { return }
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let lastBeat = Atomic<Int64>(now())
        Task.detached {
            while true {
                lastBeat.store(now(), ordering: .relaxed)
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        let pid = ProcessInfo.processInfo.processIdentifier
        let watcher = Thread {
            var dumpedFor: Int64 = 0
            while true {
                Thread.sleep(forTimeInterval: 0.1)
                let beat = lastBeat.load(ordering: .relaxed)
                guard now() - beat > 1_500_000_000, beat != dumpedFor else { continue }
                dumpedFor = beat
                let file = "\(folder)/stall-\(Int(Date().timeIntervalSince1970 * 1000)).txt"
                _ = try? ChildProcess.run("/bin/sh", ["-c", "gdb -batch -p \(pid) -ex 'thread apply all bt 40' > '\(file)' 2>&1"],
                                          input: nil, environment: nil)
            }
        }
        watcher.start()
    }()

    private static func now() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds) }
}

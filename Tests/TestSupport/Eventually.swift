import Foundation
import Testing

/// Waits until `condition` holds, asking again every `interval`; after `timeout` seconds it
/// records an issue naming `what` and throws.
public func eventually(_ what: String, timeout: Double = 60, every interval: Duration = .milliseconds(20),
                       _ condition: () async throws -> Bool) async throws {
    _ = try await eventuallySome(what, timeout: timeout, every: interval) { try await condition() ? true : nil }
}

/// Waits until `produce` returns a value and returns it; after `timeout` seconds it records an
/// issue naming `what` and throws.
public func eventuallySome<T>(_ what: String, timeout: Double = 60, every interval: Duration = .milliseconds(20),
                              _ produce: () async throws -> T?) async throws -> T {
    try await poll(what, stalledAfter: timeout, limit: timeout, every: interval, progress: { 0 }, produce)
}

/// Waits until `condition` holds for as long as `progress` keeps changing: fails once it has
/// not changed for `stalledAfter` seconds, or after `limit` seconds in all. A slow machine is
/// not a failure, a stuck system is: beside two CPU hogs the deadline test's workers took 41 s
/// to reach their first event and still finished, while a fixed 60 s limit failed it.
public func eventually<P: Equatable>(_ what: String, stalledAfter stalled: Double = 60, limit: Double = 900,
                                     every interval: Duration = .milliseconds(20), progress: () async throws -> P,
                                     _ condition: () async throws -> Bool) async throws {
    _ = try await poll(what, stalledAfter: stalled, limit: limit, every: interval, progress: progress) {
        try await condition() ? true : nil
    }
}

/// The one polling loop of the tests: asks `produce` every `interval` until it gives a value;
/// records an issue and throws once `progress` has not changed for `stalled` seconds (with a
/// constant `progress`: a plain timeout) or `limit` seconds have passed in all.
private func poll<T, P: Equatable>(_ what: String, stalledAfter stalled: Double, limit: Double, every interval: Duration,
                                   progress: () async throws -> P, _ produce: () async throws -> T?) async throws -> T {
    let start = ContinuousClock.now
    var (mark, moved) = (try await progress(), start)
    while true {
        if let value = try await produce() { return value }
        let now = ContinuousClock.now
        let current = try await progress()
        if current != mark { (mark, moved) = (current, now) }
        guard now - moved < .milliseconds(Int(stalled * 1000)), now - start < .milliseconds(Int(limit * 1000)) else { break }
        try await Task.sleep(for: interval)  // real time: it waits on real servers and processes
    }
    let why = moved == start && stalled >= limit ? "timed out after \(limit) s"
        : ContinuousClock.now - moved >= .milliseconds(Int(stalled * 1000)) ? "no progress for \(stalled) s" : "not done after \(limit) s"
    Issue.record("\(why) waiting for: \(what)")
    throw TestFailure("\(why) waiting for: \(what)")
}

/// The size of the file at `path` in bytes (0 when it does not exist yet): a process's log
/// growing is progress while it starts, for `eventually(_:progress:_:)`.
public func fileSize(_ path: String) -> Int {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
}

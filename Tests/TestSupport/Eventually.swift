import Foundation
import Testing

/// Waits until `condition` holds, asking again every `interval`; after `timeout` seconds it
/// records an issue naming `what` and throws. The one polling loop of the tests.
public func eventually(_ what: String, timeout: Double = 60, every interval: Duration = .milliseconds(20),
                       _ condition: () async throws -> Bool) async throws {
    _ = try await eventuallySome(what, timeout: timeout, every: interval) { try await condition() ? true : nil }
}

/// Waits until `produce` returns a value and returns it; after `timeout` seconds it records an
/// issue naming `what` and throws.
public func eventuallySome<T>(_ what: String, timeout: Double = 60, every interval: Duration = .milliseconds(20),
                              _ produce: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
    while true {
        if let value = try await produce() { return value }
        guard ContinuousClock.now < deadline else { break }
        try await Task.sleep(for: interval)  // real time: it waits on real servers and processes
    }
    Issue.record("timed out after \(timeout) s waiting for: \(what)")
    throw TestFailure("timed out after \(timeout) s waiting for: \(what)")
}

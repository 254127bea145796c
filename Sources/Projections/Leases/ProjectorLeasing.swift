import BerrysFoundation
import Foundation

/// How projector processes share partitions: the lease rows' holder name and lifetime.
public struct ProjectorLeasing: Sendable {
    /// This process's name in the lease rows; unique per process.
    public var holder: String
    /// How long a lease lasts unless renewed: after a kill -9, how long its partitions wait.
    public var lease: Duration
    /// How often leases are renewed and the partitions balanced: a third of the lease, within
    /// 50 ms and 2 s.
    public var balanceInterval: Duration { min(.seconds(2), max(.milliseconds(50), lease / 3)) }

    /// - Parameters:
    ///   - holder: unique per process (default: host, pid and a random suffix).
    ///   - lease: a lease's lifetime (default 10 s).
    public init(holder: String = ProjectorLeasing.defaultHolder(), lease: Duration = .seconds(10)) {
        self.holder = holder
        self.lease = lease
    }

    /// `host-pid-random`.
    public static func defaultHolder() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    /// The lease in whole milliseconds, as the lease rows' SQL takes it.
    var leaseMilliseconds: Int { Int(lease.inSeconds * 1000) }
}

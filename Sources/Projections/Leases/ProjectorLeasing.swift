import Foundation

/// How projector processes share partitions: the lease rows' holder name and lifetime.
public struct ProjectorLeasing: Sendable {
    /// This process's name in the lease rows; unique per process.
    public var holder: String
    /// How long a lease lasts unless renewed: after a kill -9, how long its partitions wait.
    public var leaseMilliseconds: Int
    /// How often leases are renewed and the partitions balanced (a third of the lease or less).
    public var balanceInterval: Duration { .milliseconds(min(2000, max(50, leaseMilliseconds / 3))) }

    /// - Parameters:
    ///   - holder: unique per process (default: host, pid and a random suffix).
    ///   - leaseMilliseconds: a lease's lifetime (default 10 s).
    public init(holder: String = ProjectorLeasing.defaultHolder(), leaseMilliseconds: Int = 10_000) {
        self.holder = holder
        self.leaseMilliseconds = leaseMilliseconds
    }

    /// `host-pid-random`.
    public static func defaultHolder() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }
}

import BerrysRuntime

/// Partition leases and membership in memory, expiring on a `ManualClock`: several "processes"
/// of one test own partitions through it (`store(for:)`), and the test can steal a lease or
/// cut a process off (a kill -9: its calls fail, its leases expire).
public actor InMemoryLeases {
    /// A thing a cut-off process's calls throw.
    public struct Unreachable: Error {}

    private let clock: ManualClock
    private let leaseDuration: Duration
    private let partitions: Int
    private var leases: [Int: (holder: String, expires: ManualClock.Instant)] = [:]
    private var members: [String: ManualClock.Instant] = [:]
    private var cutOff: Set<String> = []

    public init(clock: ManualClock, leaseDuration: Duration, partitions: Int) {
        self.clock = clock
        self.leaseDuration = leaseDuration
        self.partitions = partitions
    }

    /// The lease store of the process `holder`.
    public nonisolated func store(for holder: String) -> Store { Store(leases: self, holder: holder) }

    /// Who holds each partition now (expired leases left out).
    public func holders() -> [Int: String] {
        let now = clock.now
        return leases.filter { $0.value.expires > now }.mapValues(\.holder)
    }

    /// The live members now.
    public func liveMembers() -> Set<String> {
        let now = clock.now
        return Set(members.filter { $0.value > now }.keys)
    }

    /// Another process takes `partition`'s lease (as after a stall past its expiry).
    public func steal(_ partition: Int, by holder: String) {
        leases[partition] = (holder, clock.now.advanced(by: leaseDuration))
    }

    /// `holder`'s calls fail from now on, as if the process were killed.
    public func cut(_ holder: String) { cutOff.insert(holder) }

    fileprivate func check(_ holder: String) throws {
        if cutOff.contains(holder) { throw Unreachable() }
    }

    fileprivate func heartbeat(_ holder: String) throws -> Int {
        try check(holder)
        let now = clock.now
        members[holder] = now.advanced(by: leaseDuration)
        members = members.filter { $0.value > now }
        return members.count
    }

    fileprivate func renew(_ held: Set<Int>, _ holder: String) throws -> Set<Int> {
        try check(holder)
        let now = clock.now
        var lost: Set<Int> = []
        for partition in held {
            if let lease = leases[partition], lease.holder == holder, lease.expires > now {
                leases[partition] = (holder, now.advanced(by: leaseDuration))
            } else {
                lost.insert(partition)
            }
        }
        return lost
    }

    fileprivate func free(_ holder: String) throws -> Set<Int> {
        try check(holder)
        let now = clock.now
        return Set((0..<partitions).filter { leases[$0].map { $0.expires <= now } ?? true })
    }

    fileprivate func acquire(_ partition: Int, _ holder: String) throws -> Bool {
        try check(holder)
        let now = clock.now
        if let lease = leases[partition], lease.expires > now, lease.holder != holder { return false }
        leases[partition] = (holder, now.advanced(by: leaseDuration))
        return true
    }

    fileprivate func release(_ partition: Int, _ holder: String) throws {
        try check(holder)
        if leases[partition]?.holder == holder { leases[partition] = nil }
    }

    fileprivate func leave(_ holder: String) throws {
        try check(holder)
        members[holder] = nil
    }

    /// One process's view.
    public struct Store: LeaseStore {
        let leases: InMemoryLeases
        let holder: String

        public func heartbeat() async throws -> Int { try await leases.heartbeat(holder) }
        public func renew(_ held: Set<Int>) async throws -> Set<Int> { try await leases.renew(held, holder) }
        public func freePartitions() async throws -> Set<Int> { try await leases.free(holder) }
        public func acquire(_ partition: Int) async throws -> Bool { try await leases.acquire(partition, holder) }
        public func release(_ partition: Int) async throws { try await leases.release(partition, holder) }
        public func leave() async throws { try await leases.leave(holder) }
    }
}

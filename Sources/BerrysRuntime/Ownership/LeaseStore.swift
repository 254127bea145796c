/// Where one process's leases on a set of partitions live, and who else is there: Redis for
/// the workers (`RedisLeaseStore`), PostgreSQL for the projectors, memory in tests. Every call
/// is made for this process (its holder name is the store's).
public protocol LeaseStore: Sendable {
    /// Refreshes this process's membership and drops expired members.
    /// - Returns: how many processes are live, this one included.
    func heartbeat() async throws -> Int
    /// Extends the leases of `held`. - Returns: those whose lease was lost (expired, or
    /// another process holds it).
    func renew(_ held: Set<Int>) async throws -> Set<Int>
    /// The partitions nobody holds.
    func freePartitions() async throws -> Set<Int>
    /// Takes a free partition's lease; false when another process has it.
    func acquire(_ partition: Int) async throws -> Bool
    /// Gives a lease back if this process still holds it.
    func release(_ partition: Int) async throws
    /// Leaves the membership (at a stop), so that the others take over at once.
    func leave() async throws
}

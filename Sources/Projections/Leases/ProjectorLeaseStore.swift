import BerrysRuntime

/// One projection version's leases (`ProjectionLeases`) and the projector processes'
/// membership (`ProjectorMembers`), as the ownership runtime's store.
struct ProjectorLeaseStore: LeaseStore {
    let leases: ProjectionLeases
    let members: ProjectorMembers

    func heartbeat() async throws -> Int { try await members.heartbeat() }
    func renew(_ held: Set<Int>) async throws -> Set<Int> { try await leases.renew(held) }
    func freePartitions() async throws -> Set<Int> { try await leases.freePartitions() }
    func acquire(_ partition: Int) async throws -> Bool { try await leases.acquire(partition) }
    func release(_ partition: Int) async throws { try await leases.release([partition]) }
    /// Nothing: the membership is the process's, not one version's; the `Projector` leaves at
    /// its stop, after every version.
    func leave() async throws {}
}

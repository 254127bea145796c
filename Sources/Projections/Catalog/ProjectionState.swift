/// Where a projection version is in its life, as `berrys.projections.state` stores it.
public enum ProjectionState: String, Sendable, CaseIterable {
    /// Registered and being built side by side; its views are not the `read.*` ones yet.
    case building
    /// The version the `read.*` views show, kept up to date by the live projector.
    case live
    /// Replaced by a newer version at a switch-over; `berrys projections prune` drops it.
    case retired
    /// A handler failed or an entry was not an event; it stops until `berrys projections resume`.
    case faulted

    /// The state as an SQL literal (`'live'`): the one spelling of a state in the queries.
    public var sql: String { "'\(rawValue)'" }

    /// The states whose version serves reads (live, or faulted and kept until resumed), as an
    /// SQL list: `('live', 'faulted')`.
    public static let servingSQL = "(\(ProjectionState.live.sql), \(ProjectionState.faulted.sql))"

    /// The state stored in a row; an unknown text reads as `building` (nothing runs it live).
    init(stored: String?) {
        self = stored.flatMap(ProjectionState.init(rawValue:)) ?? .building
    }
}

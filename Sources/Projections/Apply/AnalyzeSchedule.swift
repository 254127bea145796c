/// When a build refreshes the planner statistics of the tables it fills, a pure value.
///
/// A build starts from empty tables, and PostgreSQL keeps the plans it made for them (a
/// prepared handler statement switches to a generic plan after five runs; PL/pgSQL caches its
/// own): a join planned as a sequential scan of a nearly empty table stays one while the table
/// grows, and autovacuum's analyze (once a minute at best) comes too late for a build of a few
/// seconds. Measured on the agents handlers with generic plans made on the empty tables: 2× the
/// PostgreSQL time per event by 40k agents (52/44/54 instead of 25/20/22 µs for creations,
/// status changes, specializations), growing with the table. `ANALYZE` invalidates those plans,
/// so the build analyzes each time the applied events double, from `first` on: about 10 times
/// over 1M events, each a small sample (`ProjectionCatalog.analyze`). In `berrys-bench replay`
/// (200k events) it costs nothing measurable: all together 21.3k events/s with it, 22.4k without.
struct AnalyzeSchedule: Sendable {
    private(set) var next: Int

    init(first: Int = 1000) {
        next = first
    }

    /// Whether `applied` events (all partitions) call for an analyze now; moves the threshold on.
    mutating func isDue(applied: Int) -> Bool {
        guard applied >= next else { return false }
        while next <= applied { next *= 2 }
        return true
    }
}

/// What each `read.<table>` view shows, a pure value tested without PostgreSQL.
///
/// A view shows its table from every version that serves reads (live, or faulted while live),
/// as one `UNION ALL` when several projections have a table of that name (e.g. each one's
/// `rejected_events`). A projection that replaces another (`"replaces"` in its manifest, as
/// the Berrys read models replace the former `platform` projection) takes that one's tables
/// over: while both serve reads, a table the replacing projection has is shown from it alone.
/// A replaced projection none of whose tables is shown any more is retired. Reference data
/// (the same rows wherever it is included) is shown from one schema only.
struct ViewPlan: Sendable, Equatable {
    /// A version that serves reads.
    struct Serving: Sendable, Equatable {
        var projection: String
        var schema: String
        var replaces: [String]
        var tables: Set<String>
        /// Its reference-data tables.
        var referenceTables: Set<String> = []
    }

    /// Table → the schemas its view selects from (empty: the view goes).
    let sources: [String: [String]]
    /// Projections whose tables are all taken over by their replacements.
    let retired: [String]

    /// - Parameter tables: the views to decide (those of the versions that changed).
    init(serving: [Serving], tables: Set<String>) {
        var sources: [String: [String]] = [:]
        for table in tables {
            sources[table] = Self.schemas(showing: table, serving: serving)
        }
        self.sources = sources
        // A replaced projection retires once none of its tables is shown from it.
        let replaced = Set(serving.flatMap(\.replaces))
        retired = serving.filter { version in
            replaced.contains(version.projection)
                && version.tables.allSatisfy { !Self.schemas(showing: $0, serving: serving).contains(version.schema) }
        }.map(\.projection).sorted()
    }

    private static func schemas(showing table: String, serving: [Serving]) -> [String] {
        let having = serving.filter { $0.tables.contains(table) }
        let takenOver = Set(having.flatMap(\.replaces))
        let shown = having.filter { !takenOver.contains($0.projection) }.map(\.schema).sorted()
        let reference = !having.isEmpty && having.allSatisfy { $0.referenceTables.contains(table) }
        return reference ? Array(shown.prefix(1)) : shown
    }
}

import PostgresClient

/// The conditions of a read: only the filters a request names become SQL, each value a bind
/// parameter. Every combination is then its own prepared statement, whose plan can use the
/// indexes; one statement with `($1 IS NULL OR status = $1)` for every filter gets a generic
/// plan that cannot (measured: a sequential scan and a sort for a filtered agents page).
public struct SQLFilters {
    private var conditions: [String] = []
    /// The bind parameters, in `$n` order.
    public private(set) var parameters: [any PostgresEncodable] = []

    /// No conditions yet.
    public init() {}

    /// Binds `value` and returns its placeholder (`$1`, `$2`, …).
    public mutating func bind(_ value: any PostgresEncodable) -> String {
        parameters.append(value)
        return "$\(parameters.count)"
    }

    /// Adds the condition `condition(placeholder)` when `value` is present.
    public mutating func add(_ value: (any PostgresEncodable)?, _ condition: (String) -> String) {
        guard let value else { return }
        conditions.append(condition(bind(value)))
    }

    /// Adds a condition without a value.
    public mutating func add(_ condition: String) {
        conditions.append(condition)
    }

    /// The conditions joined with AND (`TRUE` when there are none), for a WHERE clause.
    public var sql: String { conditions.isEmpty ? "TRUE" : conditions.joined(separator: " AND ") }
}

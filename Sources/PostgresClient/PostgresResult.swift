/// The rows of one statement, copied out of libpq in text form.
public struct PostgresResult: Sendable, Hashable {
    /// Column names in order.
    public var columns: [String]
    /// Values in text form; `nil` is SQL NULL.
    public var values: [[String?]]
    /// Rows inserted, updated, deleted or copied, when the statement reports it.
    public var affectedRows: Int

    /// Creates a result.
    public init(columns: [String] = [], values: [[String?]] = [], affectedRows: Int = 0) {
        self.columns = columns
        self.values = values
        self.affectedRows = affectedRows
    }

    /// The rows, each able to look values up by column name.
    public var rows: [PostgresRow] {
        values.map { PostgresRow(columns: columns, values: $0) }
    }

    /// The first row's first value, for single-value queries.
    public var scalar: String? { values.first?.first ?? nil }
}

/// One row of a `PostgresResult`.
public struct PostgresRow: Sendable, Hashable {
    public var columns: [String]
    public var values: [String?]

    /// The text value of column `name`.
    /// - Throws: `PostgresError.usage` when there is no such column.
    public func text(_ name: String) throws -> String? {
        guard let index = columns.firstIndex(of: name) else {
            throw PostgresError(.usage, "no column '\(name)' in the result (columns: \(columns.joined(separator: ", ")))")
        }
        return values[index]
    }

    /// The value of column `name` as an integer.
    public func int(_ name: String) throws -> Int? {
        try text(name).flatMap { Int($0) }
    }

    /// The value of column `name` as a boolean (`t`/`f`).
    public func bool(_ name: String) throws -> Bool? {
        try text(name).map { $0 == "t" || $0 == "true" }
    }
}

/// A notification received through `LISTEN`.
public struct PostgresNotification: Sendable, Hashable {
    public var channel: String
    public var payload: String
    public var senderProcessID: Int
}

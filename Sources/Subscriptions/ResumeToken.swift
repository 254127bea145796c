import EventLog

/// Where a subscriber is in every partition of the log: the `id:` of each server-sent event and
/// the `Last-Event-ID` (or `from=`) a client resumes with.
///
/// Text form: `v1.` followed by each partition's last delivered stream id, in partition order,
/// separated by dots: `v1.1733400000000-0.0-0.1733400000001-3.0-0` is a log of four
/// partitions where partitions 1 and 3 delivered nothing yet. About 16 bytes per partition;
/// only `[0-9v.-]`, so it goes into a header or a query string as it is. Resuming from a token
/// delivers exactly the events after it, partition by partition.
public struct ResumeToken: Sendable, Hashable, CustomStringConvertible {
    /// The last delivered (or passed) position of each partition.
    public var positions: [StreamID]

    /// The token of these positions.
    public init(positions: [StreamID]) {
        self.positions = positions
    }

    /// The start of a log of `partitions` partitions.
    public static func beginning(partitions: Int) -> ResumeToken {
        ResumeToken(positions: Array(repeating: .zero, count: partitions))
    }

    static let prefix = "v1."

    /// Parses a token of a log of `partitions` partitions.
    /// - Throws: `ResumeTokenError` naming what is wrong.
    public init(parsing text: String, partitions: Int) throws {
        guard text.hasPrefix(Self.prefix) else {
            throw ResumeTokenError("does not start with \(Self.prefix) (give now, beginning, or an id this stream sent)")
        }
        let parts = text.dropFirst(Self.prefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == partitions else {
            throw ResumeTokenError("holds \(parts.count) partitions, but the log has \(partitions)")
        }
        positions = try parts.enumerated().map { index, part in
            guard let id = StreamID(String(part)) else { throw ResumeTokenError("partition \(index)'s position '\(part)' is not a stream id") }
            return id
        }
    }

    public var description: String {
        var text = Self.prefix
        text.reserveCapacity(Self.prefix.count + positions.count * 17)
        for (index, position) in positions.enumerated() {
            if index > 0 { text.append(".") }
            text.append(position.description)
        }
        return text
    }

    /// True when every partition of this token is at or past `other`'s.
    public func covers(_ other: [StreamID]) -> Bool {
        zip(positions, other).allSatisfy { $0 >= $1 }
    }
}

/// A resume token that cannot be used, and why.
public struct ResumeTokenError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { "the resume token \(reason)" }
}

import EventLog

/// Which events a subscriber receives: any of its types (exact, or a prefix written `prefix.*`;
/// none given: every type), and, when given, exactly this subject, partition key and source.
public struct StreamFilter: Sendable, Hashable {
    /// Exact types.
    public private(set) var types: Set<String> = []
    /// Type prefixes, each ending with a dot (`agent.execution.*` is kept as `agent.execution.`).
    public private(set) var typePrefixes: [String] = []
    public var subject: String?
    public var partitionKey: String?
    public var source: String?

    /// Every event.
    public init() {}

    /// A filter of these type patterns and attributes.
    /// - Throws: `StreamFilterError` naming a pattern that is neither a type nor `prefix.*`.
    public init(types patterns: [String], subject: String? = nil, partitionKey: String? = nil, source: String? = nil) throws {
        for pattern in patterns {
            if pattern == "*" { continue }
            if pattern.hasSuffix(".*") {
                let prefix = String(pattern.dropLast())
                guard prefix.count > 1, !prefix.dropLast().contains("*") else { throw StreamFilterError(pattern: pattern) }
                typePrefixes.append(prefix)
            } else {
                guard !pattern.isEmpty, !pattern.contains("*") else { throw StreamFilterError(pattern: pattern) }
                types.insert(pattern)
            }
        }
        if patterns.contains("*") { (types, typePrefixes) = ([], []) }
        self.subject = subject
        self.partitionKey = partitionKey
        self.source = source
    }

    /// Whether `event` passes.
    public func matches(_ event: EventEnvelope) -> Bool {
        matches(type: event.type, subject: event.subject, partitionKey: event.effectivePartitionKey, source: event.source)
    }

    /// Whether an event of these attributes passes; `partitionKey` is the effective one
    /// (the partition key, else the subject).
    public func matches(type: String, subject: String, partitionKey: String, source: String) -> Bool {
        if let wanted = self.subject, wanted != subject { return false }
        if let wanted = self.partitionKey, wanted != partitionKey { return false }
        if let wanted = self.source, wanted != source { return false }
        if types.isEmpty && typePrefixes.isEmpty { return true }
        return types.contains(type) || typePrefixes.contains { type.hasPrefix($0) }
    }
}

/// A `type` pattern that is neither a type nor `prefix.*`.
public struct StreamFilterError: Error, Sendable, CustomStringConvertible {
    public let pattern: String
    public var description: String { "'\(pattern)' is neither an event type nor a prefix written like agent.execution.*" }
}

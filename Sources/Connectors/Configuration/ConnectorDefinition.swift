import Foundation

/// One outbound connector, as its file under `connectors/` declares it: where events go,
/// which events, and how they are sent.
public struct ConnectorDefinition: Sendable, Hashable {
    /// How an event is put into the HTTP request (CloudEvents HTTP binding).
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// The data as the body, the attributes as `ce-*` headers (the default).
        case binary
        /// The whole event as `application/cloudevents+json`.
        case structured
    }

    /// The file's name without `.yaml`; `[a-z0-9-]`.
    public var name: String
    /// The receiver, an absolute http(s) URL.
    public var url: URL
    /// Which events: exact types or `prefix.*`.
    public var filters: [TypeFilter]
    /// Headers sent with every delivery.
    public var headers: [String: String]
    /// The environment variable holding the signing secret; no signature without one.
    public var secretVariable: String?
    /// The secret read from `secretVariable` at start.
    public var secret: String?
    /// How long one delivery may take before it counts as a timeout.
    public var timeout: Duration
    /// Deliveries on their way at once, over all the partitions this process holds.
    public var maxInFlight: Int
    public var mode: Mode
    /// Consecutive failures that open the endpoint's breaker.
    public var failureThreshold: Int
    /// How long an open breaker waits before its probe.
    public var recoveryTimeout: Duration

    /// The consumer group (worker) that delivers it: `connector-<name>`.
    public var workerName: String { "connector-\(name)" }

    /// The event types of `knownTypes` the filters select.
    public func handledTypes(among knownTypes: Set<String>) -> Set<String> {
        knownTypes.filter { type in filters.contains { $0.matches(type) } }
    }
}

/// An event type filter of a connector: `agent.created` (exactly) or `agent.execution.*`
/// (every type under that prefix).
public enum TypeFilter: Sendable, Hashable, CustomStringConvertible {
    case exact(String)
    case prefix(String)

    /// Reads `type` or `prefix.*`; nil for anything else (an empty prefix, a `*` inside).
    public init?(_ text: String) {
        if text.hasSuffix(".*") {
            let prefix = String(text.dropLast(1))
            guard prefix.count > 1, !prefix.dropLast().contains("*") else { return nil }
            self = .prefix(prefix)
        } else {
            guard !text.isEmpty, !text.contains("*") else { return nil }
            self = .exact(text)
        }
    }

    public func matches(_ type: String) -> Bool {
        switch self {
        case .exact(let exact): return type == exact
        case .prefix(let prefix): return type.hasPrefix(prefix)
        }
    }

    public var description: String {
        switch self {
        case .exact(let exact): return exact
        case .prefix(let prefix): return prefix + "*"
        }
    }
}

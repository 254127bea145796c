import W3CTraceContext

/// The W3C trace context an event carries, in the CloudEvents distributed-tracing extension:
/// the attributes `traceparent` and `tracestate` (stored with the event like any extension).
///
/// Publishers set them (`--traceparent`, the HTTP `traceparent` header); workers pass a child
/// of them to the events they emit; connectors send them as the W3C headers. Parsing and the
/// ids are swift-w3c-trace-context's.
public enum EventTrace {
    public static let parentAttribute = "traceparent"
    public static let stateAttribute = "tracestate"

    /// The trace context in `extensions`; nil when there is none.
    /// - Throws: `EventLogError.invalidEnvelope` naming `traceparent` (or `tracestate` without
    ///   a `traceparent`) and the rule.
    public static func context(in extensions: [String: String]) throws -> TraceContext? {
        guard let parent = extensions[parentAttribute] else {
            if extensions[stateAttribute] != nil {
                throw EventLogError(.invalidEnvelope, field: stateAttribute, "tracestate needs a traceparent")
            }
            return nil
        }
        do {
            return try TraceContext(traceParentHeaderValue: parent, traceStateHeaderValue: extensions[stateAttribute])
        } catch {
            throw EventLogError(.invalidEnvelope, field: parentAttribute,
                                "traceparent must be a W3C trace context, 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>, got '\(parent)'")
        }
    }

    /// A child of `parent`: the same trace and flags, a new span, the state kept.
    public static func child(of parent: TraceContext) -> TraceContext {
        TraceContext(traceID: parent.traceID, spanID: .random(), flags: parent.flags, state: parent.state)
    }

    /// Writes `context` into `extensions` (`tracestate` only when it has entries).
    public static func set(_ context: TraceContext, in extensions: inout [String: String]) {
        extensions[parentAttribute] = context.traceParentHeaderValue
        extensions[stateAttribute] = context.traceStateHeaderValue
    }

    /// The trace id of a `traceparent` value, as 32 hex digits; nil when it is not one.
    public static func traceID(ofParent value: String) -> String? {
        let parts = value.split(separator: "-")
        guard parts.count == 4, parts[1].count == 32 else { return nil }
        return String(parts[1])
    }
}

extension EventEnvelope {
    /// The id of the trace the event belongs to (32 hex digits), when it carries one; for logs.
    public var traceID: String? { extensions[EventTrace.parentAttribute].flatMap(EventTrace.traceID(ofParent:)) }
}

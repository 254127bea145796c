import EventLog
import Instrumentation
import ServiceContextModule
import Tracing

/// Trace headers in an event's extensions, for the process's instrument (swift-distributed-
/// tracing): it reads `traceparent`/`tracestate` there, and writes only names an extension may
/// have (lower-case letters and digits, at most 20), so no tracer's header can make an emitted
/// event invalid.
struct ExtensionsCarrier: Extractor, Injector {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key.lowercased()] }

    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        let name = key.lowercased()
        guard !name.isEmpty, name.utf8.count <= 20,
              name.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }) else { return }
        carrier[name] = value
    }
}

extension DeliveryProcessor {
    /// Runs `body` (the handler and the publishing of what it emits) in a `consumer` span that
    /// continues the trace `event` carries, for a bootstrapped tracer (say swift-otel), which
    /// exports it as a child of the publisher's span. Called only when one is (`isTracing`).
    func traced<T: Sendable>(_ event: EventEnvelope, _ body: () async throws -> T) async throws -> T {
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(event.extensions, into: &context, using: ExtensionsCarrier())
        return try await withSpan("\(worker.name) \(event.type)", context: context, ofKind: .consumer) { span in
            span.attributes["messaging.message.id"] = event.id
            span.attributes["berrys.subject"] = event.subject
            return try await body()
        }
    }

    /// Gives an emitted event its trace context, unless it has one: the tracer's current span
    /// when a tracer is bootstrapped, else a child of the causing event's context (same trace
    /// id, a new span id), so the trace travels on without any tracer.
    func trace(_ draft: inout EventDraft, causedBy cause: EventEnvelope) {
        guard draft.extensions[EventTrace.parentAttribute] == nil else { return }
        if isTracing, let context = ServiceContext.current {
            InstrumentationSystem.instrument.inject(context, into: &draft.extensions, using: ExtensionsCarrier())
        }
        if draft.extensions[EventTrace.parentAttribute] == nil, let parent = try? EventTrace.context(in: cause.extensions) {
            EventTrace.set(EventTrace.child(of: parent), in: &draft.extensions)
        }
    }
}

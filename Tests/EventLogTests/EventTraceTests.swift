import EventLog
import TestSupport
import Testing
import W3CTraceContext

/// The W3C trace context in events' extensions: read, checked, continued.
@Suite struct EventTraceTests {
    let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func aChildKeepsTheTraceFlagsAndStateWithANewSpan() throws {
        let context = try #require(try EventTrace.context(in: ["traceparent": parent, "tracestate": "berrys=t1"]))
        var extensions: [String: String] = [:]
        EventTrace.set(EventTrace.child(of: context), in: &extensions)
        let child = try #require(extensions["traceparent"])
        #expect(EventTrace.traceID(ofParent: child) == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(child.hasSuffix("-01") && child != parent)
        #expect(extensions["tracestate"] == "berrys=t1")
        #expect(try EventTrace.context(in: [:]) == nil)
    }

    @Test func aMalformedTraceIsRefusedNamingTheAttribute() async throws {
        for (extensions, field) in [(["traceparent": "00-xyz-01"], "traceparent"), (["tracestate": "a=b"], "tracestate")] {
            do {
                _ = try EventTrace.context(in: extensions)
                Issue.record("accepted \(extensions)")
            } catch let error as EventLogError {
                #expect(error.field == field, "\(error)")
            }
        }
        let log = try await TestLog.open()
        let draft = EventDraft(type: "project.created", data: .object(["project_id": .string("3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"),
                                                                       "name": .string("P")]),
                               extensions: ["traceparent": "not-a-trace"])
        await #expect(throws: EventLogError.self) { try await log.append(draft) }
        var traced = draft
        traced.extensions = ["traceparent": parent]
        let appended = try await log.append(traced)
        let stored = try await log.read(partition: appended.position.partition, after: .zero, count: 1)
        #expect(stored.first?.extensions["traceparent"] == parent && stored.first?.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
    }
}

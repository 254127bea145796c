import BerrysJSON
import BerrysFoundation
import EventLog
import Foundation
import Logging
import PostgresClient
import RedisClient
import ServiceLifecycle
import TestSupport
import Testing
@testable import Workers

/// What a test worker saw and what it is told to do.
actor Recorder {
    struct Handled: Sendable {
        let eventID: String
        let key: String
        let sequence: Int
        let attempt: Int
    }

    private(set) var handled: [Handled] = []
    /// Event ids whose handling fails permanently.
    var poisoned: Set<String> = []
    /// Event id → how many more times it fails transiently.
    var transientFailures: [String: Int] = [:]

    func poison(_ ids: Set<String>) { poisoned = ids }
    func failTransiently(_ id: String, times: Int) { transientFailures[id] = times }

    /// How many times the handler was called per event id.
    private(set) var calls: [String: Int] = [:]

    func decide(_ event: EventEnvelope, attempt: Int) throws {
        calls[event.id, default: 0] += 1
        if poisoned.contains(event.id) { throw WorkerError.permanent("poisoned \(event.id)") }
        if let left = transientFailures[event.id], left > 0 {
            transientFailures[event.id] = left - 1
            throw WorkerError.transient("dependency down for \(event.id)")
        }
        handled.append(Handled(eventID: event.id, key: event.effectivePartitionKey, sequence: event.sequence ?? 0, attempt: attempt))
    }

    /// Handled event ids per key, in handling order.
    func sequencesByKey() -> [String: [Int]] {
        Dictionary(grouping: handled, by: \.key).mapValues { $0.map(\.sequence) }
    }
}

/// Handles `project.status_changed`; emits one `tool.registered` per event.
struct RecordingWorker: Worker {
    let name: String
    let recorder: Recorder
    let handledTypes: Set<String> = ["project.status_changed"]

    func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft] {
        try await recorder.decide(event, attempt: context.attempt)
        let tool = DeterministicID.uuid("tool/\(event.id)")
        return [EventDraft(type: "tool.registered", data: .object(["tool_id": .string(tool), "name": .string("t"),
                                                                   "category": .string("test"), "version": .string("1.0.0")]))]
    }
}

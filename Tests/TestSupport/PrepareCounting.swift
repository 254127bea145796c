import EventLog
import Synchronization
import Workers

/// A worker that counts its `prepare` calls and failures, and otherwise is `base`: a test sees
/// that the runtime keeps trying to start a worker while a dependency is down, instead of
/// waiting "a while" to see that nothing happened.
public final class PrepareCounting: Worker, Sendable {
    public let base: any Worker
    private let counts = Mutex((calls: 0, failures: 0))

    public init(_ base: any Worker) { self.base = base }

    public var name: String { base.name }
    public var handledTypes: Set<String> { base.handledTypes }
    public var concurrentDeliveries: Int? { base.concurrentDeliveries }
    /// How many `prepare` calls failed so far.
    public var failures: Int { counts.withLock { $0.failures } }

    public func prepare(_ context: WorkerContext) async throws {
        counts.withLock { $0.calls += 1 }
        do {
            try await base.prepare(context)
        } catch {
            counts.withLock { $0.failures += 1 }
            throw error
        }
    }

    public func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft] {
        try await base.handle(event, context: context)
    }
}

import EventLog
import Logging
import PostgresClient

/// A consumer of the log: a name (its consumer group), the event types it handles, and a
/// handler that turns one event into the events it causes.
///
/// Delivery is at least once: a handler may see an event again after a crash. Its effect is
/// exactly once when its writes are idempotent and it emits events through its return value
/// (their ids are derived from the causing event, so a re-emit is dropped as a duplicate).
public protocol Worker: Sendable {
    /// The worker's name: its consumer group, DLQ stream and lease names; `[a-z0-9-]`.
    var name: String { get }
    /// The event types it handles; other events are acknowledged without calling `handle`.
    var handledTypes: Set<String> { get }
    /// Called once before the worker consumes, e.g. to create its own tables.
    func prepare(_ context: WorkerContext) async throws
    /// Handles one event (its data upcast to the newest version).
    /// - Returns: the events it causes, published before the event is acknowledged.
    /// - Throws: `WorkerError.permanent` when this event cannot be processed; other errors
    ///   are classified by `FailureClassifier`.
    func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft]
}

extension Worker {
    public func prepare(_ context: WorkerContext) async throws {}
}

/// What a handler gets besides its event.
public struct WorkerContext: Sendable {
    /// A logger carrying the worker, event id, type, subject and attempt.
    public var logger: Logger
    /// The log, for reads (e.g. a subject's sequence) and for publishing outside the return value.
    public var log: EventLog
    /// PostgreSQL, when the worker runs with a database.
    public var postgres: PostgresPool?
    /// Which delivery of the event this is (1 for the first).
    public var attempt: Int

    public init(logger: Logger, log: EventLog, postgres: PostgresPool?, attempt: Int) {
        self.logger = logger
        self.log = log
        self.postgres = postgres
        self.attempt = attempt
    }

    /// The database, or a permanent error naming what is missing.
    public func database() throws -> PostgresPool {
        guard let postgres else {
            throw WorkerError.permanent("this worker needs PostgreSQL; set BERRYS_DATABASE_URL")
        }
        return postgres
    }
}

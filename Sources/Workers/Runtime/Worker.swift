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
    /// The event types it emits (returned, or held for later), for the catalog
    /// (`GET /asyncapi.json`); empty by default.
    var emittedTypes: Set<String> { get }
    /// Events of one partition handled at once, each on a task of its own, instead of the
    /// process's `--concurrency` tasks that each take a chunk of events in turn. For handlers
    /// that mostly wait on another service (a connector: its `max_in_flight`), where events of a
    /// chunk would wait in line behind one slow call, and a crash would deliver the whole chunk
    /// again. nil (the default): the process's setting.
    var concurrentDeliveries: Int? { get }
    /// Called once before the worker consumes, e.g. to create its own tables.
    func prepare(_ context: WorkerContext) async throws
    /// Handles one event (its data upcast to the newest version).
    /// - Returns: the events it causes, published before the event is acknowledged.
    /// - Throws: `WorkerError.permanent` when this event cannot be processed; other errors
    ///   are classified by `FailureClassifier`.
    func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft]
}

extension Worker {
    /// Nothing declared by default.
    public var emittedTypes: Set<String> { [] }

    /// The process's `--concurrency` by default.
    public var concurrentDeliveries: Int? { nil }

    /// Nothing to prepare by default.
    public func prepare(_ context: WorkerContext) async throws {}
}

/// What a handler gets besides its event.
public struct WorkerContext: Sendable {
    /// A logger carrying the worker, event id, type, subject and attempt (built when asked for).
    public var logger: Logger {
        guard let about else { return baseLogger }
        var logger = baseLogger
        logger[metadataKey: "worker"] = "\(about.worker)"
        logger[metadataKey: "stream_id"] = "\(about.streamID)"
        logger[metadataKey: "attempt"] = "\(attempt)"
        if let event = about.event {
            logger[metadataKey: "event_id"] = "\(event.id)"
            logger[metadataKey: "type"] = "\(event.type)"
            logger[metadataKey: "subject"] = "\(event.subject)"
            if let traceID = event.traceID { logger[metadataKey: "trace_id"] = "\(traceID)" }
        }
        return logger
    }
    /// The log, for reads (e.g. a subject's sequence) and for publishing outside the return value.
    public var log: EventLog
    /// PostgreSQL, when the worker runs with a database.
    public var postgres: PostgresPool?
    /// Which delivery of the event this is (1 for the first).
    public var attempt: Int

    private let baseLogger: Logger
    private let about: (worker: String, streamID: String, event: EventEnvelope?)?

    /// A context without an event (e.g. for `prepare`).
    public init(logger: Logger, log: EventLog, postgres: PostgresPool?, attempt: Int) {
        self.baseLogger = logger
        self.log = log
        self.postgres = postgres
        self.attempt = attempt
        self.about = nil
    }

    init(logger: Logger, log: EventLog, postgres: PostgresPool?, attempt: Int, worker: String, streamID: String, event: EventEnvelope?) {
        self.baseLogger = logger
        self.log = log
        self.postgres = postgres
        self.attempt = attempt
        self.about = (worker, streamID, event)
    }

    /// The database, or a permanent error naming what is missing.
    public func database() throws -> PostgresPool {
        guard let postgres else {
            throw WorkerError.permanent("this worker needs PostgreSQL; set BERRYS_DATABASE_URL")
        }
        return postgres
    }
}

/// A worker that can also handle several events at once, e.g. to read and write its state with
/// one statement per batch instead of one per event.
///
/// A batch never holds two events of one partition key, so per-key order is kept. Events whose
/// result is a failure (or all of them, when the call throws) go through `handle` one by one,
/// with the usual retries.
public protocol BatchWorker: Worker {
    /// Handles events of distinct partition keys.
    /// - Returns: one result per event, in order: the events it causes, or why it failed.
    func handle(batch events: [EventEnvelope], context: WorkerContext) async throws -> [Result<[EventDraft], any Error>]
}

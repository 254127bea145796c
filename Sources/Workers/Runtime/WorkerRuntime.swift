import BerrysFoundation
import BerrysRuntime
import EventLog
import Foundation
import Logging
import PostgresClient
import RedisClient
import ServiceLifecycle

/// The consumer workers of one process, as a `Service`: prepares each worker, runs them until
/// a graceful shutdown, then stops reading, finishes (or abandons, unacknowledged) what is in
/// hand within the grace period, acknowledges what completed and gives its leases back.
public struct WorkerRuntime: Service {
    public let workers: [any Worker]
    public let consumer: String
    let log: EventLog
    let redis: RedisPool
    let postgres: PostgresPool?
    let history: (any EventSource)?
    let settings: WorkerSettings
    let logger: Logger

    /// - Parameters:
    ///   - history: the whole log by position (the tiered log); a group created from the
    ///     beginning of a trimmed partition catches up through it. Without it such a start is
    ///     refused (`GroupStartRefused`).
    ///   - consumer: this process's consumer name; unique per process (see `defaultConsumerName`).
    public init(workers: [any Worker], log: EventLog, redis: RedisPool, postgres: PostgresPool?, history: (any EventSource)? = nil,
                settings: WorkerSettings = WorkerSettings(), consumer: String = WorkerRuntime.defaultConsumerName(),
                logger: Logger = Logger(label: "berrys.workers")) {
        self.workers = workers
        self.history = history
        self.consumer = consumer
        self.log = log
        self.redis = redis
        self.postgres = postgres
        self.settings = settings
        self.logger = logger
    }

    /// `<host>-<pid>-<random>`: unique per process, readable in logs and `berrys status`.
    public static func defaultConsumerName() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(suffix)"
    }

    public func run() async throws {
        // Redis or PostgreSQL may be down at start: wait for them (the process does not exit),
        // unless asked to shut down meanwhile.
        do {
            try await cancelWhenGracefulShutdown {
                try await untilAvailable("loading the dead-letter functions") { try await DeadLetterFunctions.load(on: redis) }
                try await untilAvailable("loading the lease functions") { try await LeaseFunctions.load(on: redis) }
                for worker in workers {
                    let context = WorkerContext(logger: logger, log: log, postgres: postgres, attempt: 0)
                    try await untilAvailable("preparing \(worker.name)") { try await worker.prepare(context) }
                    try await untilAvailable("creating \(worker.name)'s consumer groups") {
                        let catchingUp = try await settings.start.createGroups(worker: worker.name, log: log, redis: redis,
                                                                               canCatchUp: history != nil)
                        for (partition, target) in catchingUp.sorted(by: { $0.key < $1.key }) {
                            logger.info("\(worker.name): partition \(partition) was trimmed below \(target); its new group catches up from the archive first")
                        }
                    }
                }
            }
        } catch is CancellationError {
            return
        }
        logger.info("workers \(workers.map(\.name).joined(separator: ", ")) starting as consumer \(consumer)")
        let stop = StopSignal()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for (index, worker) in workers.enumerated() {
                    let runner = WorkerRunner(worker: worker, log: log, redis: redis, postgres: postgres, history: history, settings: settings,
                                              consumer: consumer, offset: Int(UInt32.random(in: 0...1000)) + index,
                                              logger: logger, stop: stop)
                    group.addTask { await runner.run() }
                }
            }
        } onGracefulShutdown: {
            stop.raise()
        }
        logger.info("workers stopped")
    }

    /// Runs `step` until it succeeds, retrying transient failures with backoff; a permanent
    /// failure (e.g. a bad configuration) is thrown.
    private func untilAvailable(_ what: String, _ step: () async throws -> Void) async throws {
        try await RetryLoop(backoff: .serviceRestart, budget: .unlimited, clock: log.clock).run(
            isRetryable: { FailureClassifier.kind(of: $0) == .transient && !Task.isCancelled },
            onRetry: { error, delay in logger.warning("\(what) failed (\(error)); retrying in \(delay.secondsText)") },
            step)
    }
}

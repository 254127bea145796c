import BerrysFoundation
import EventLog
import Logging
import PostgresClient
import RedisClient

/// Runs one worker in this process: keeps its membership and partition leases, and a
/// `PartitionConsumer` for each partition it holds; gives partitions back when more processes
/// join, takes them when processes leave or die.
struct WorkerRunner: Sendable {
    let worker: any Worker
    let log: EventLog
    let redis: RedisPool
    let postgres: PostgresPool?
    let history: (any EventSource)?
    let settings: WorkerSettings
    let consumer: String
    let offset: Int
    let logger: Logger
    let stop: SignalFlag

    /// A consumer task of a held partition. Unstructured because partitions come and go while
    /// the runner lives; every task is stopped and awaited before `run` returns.
    private struct Held {
        let task: Task<Void, Never>
        let stop: SignalFlag
        let finished: SignalFlag
        var state = State.consuming

        enum State {
            case consuming
            /// Finishing what is in hand before giving the lease back.
            case givingBack
            /// The lease is gone; stopped at once. Kept until the task has finished, so that the
            /// partition is not taken again (under the same consumer name) while the old task
            /// can still read entries it would leave pending.
            case lost
        }
    }

    func run() async {
        let partitions = log.partitioner.partitions
        let leases = PartitionLeases(namespace: log.configuration.namespace, worker: worker.name, partitions: partitions,
                                     consumer: consumer, redis: redis, leaseMilliseconds: Int(settings.leaseSeconds * 1000))
        let metrics = WorkerMetrics(worker: worker.name)
        var held: [Int: Held] = [:]
        var liveMembers = 0
        var quickTicksLeft = 0
        // A failed tick is tried again with backoff; each successful one starts the backoff over.
        let retry = RetryLoop(backoff: .leaseRenewal(leaseSeconds: settings.leaseSeconds), budget: .unlimited)
        while !stop.isRaised && !Task.isCancelled {
            let ticked = try? await retry.run(
                isRetryable: { _ in !stop.isRaised && !Task.isCancelled },
                onRetry: { error, _ in logger.warning("\(worker.name): leases not renewed (\(error)); retrying") }
            ) { try await tick(leases: leases, held: &held, metrics: metrics) }
            guard let (live, moving) = ticked else { continue }
            // While partitions change hands (a process joined or left, leases are given
            // back or taken), look again soon, so that the hand-over takes a few round
            // trips rather than several lease periods.
            if moving || live != liveMembers { quickTicksLeft = Self.quickTicks }
            liveMembers = live
            let pause = quickTicksLeft > 0 ? min(Self.quickTickSeconds, settings.leaseSeconds / 4) : settings.leaseSeconds / 4
            quickTicksLeft = max(0, quickTicksLeft - 1)
            try? await stop.sleep(seconds: pause)
        }
        for entry in held.values { entry.stop.raise() }
        for (partition, entry) in held {
            await entry.task.value
            try? await leases.release(partition)
        }
        try? await leases.leave()
    }

    /// Ticks at this pace after a change, this many times.
    private static let quickTickSeconds = 0.05
    private static let quickTicks = 40

    /// Renews membership and leases, gives back or takes partitions.
    /// - Returns: how many processes run this worker, and whether partitions are changing
    ///   hands here (given back, lost, taken, or wanted but not yet free).
    private func tick(leases: PartitionLeases, held: inout [Int: Held], metrics: WorkerMetrics) async throws -> (live: Int, moving: Bool) {
        let live = try await leases.heartbeat()
        for partition in try await leases.renew(held.filter { $0.value.state != .lost }.map(\.key)) {
            logger.warning("\(worker.name): lost the lease of partition \(partition); stopping it")
            metrics.leasesLost.increment()
            held[partition]?.stop.raise()
            held[partition]?.task.cancel()
            held[partition]?.state = .lost
        }
        // A consumer that ended while consuming was refused a fenced read or claim: the lease
        // is gone (the renewal above saw it, unless it raced) or about to be; let it go.
        for (partition, entry) in held where entry.finished.isRaised {
            switch entry.state {
            case .givingBack:
                try await leases.release(partition)
                logger.info("\(worker.name): gave partition \(partition) back")
            case .consuming:
                try await leases.release(partition)
                logger.warning("\(worker.name): the consumer of partition \(partition) stopped; letting the partition go")
            case .lost:
                break
            }
            held[partition] = nil
        }
        let plan = LeasePlan(partitions: leases.partitions, liveMembers: live.count,
                             held: Set(held.filter { $0.value.state == .consuming }.keys),
                             free: try await leases.freePartitions().subtracting(held.keys), offset: offset)
        for partition in plan.release {
            held[partition]?.stop.raise()
            held[partition]?.state = .givingBack
        }
        try await updateLagGauges(held: Array(held.keys))
        let moving = !plan.acquire.isEmpty || !plan.release.isEmpty || held.values.contains { $0.state != .consuming }
        for partition in plan.acquire where try await leases.acquire(partition) {
            let stop = SignalFlag(), finished = SignalFlag()
            let consumer = makeConsumer(partition: partition, leases: leases, metrics: metrics, stop: stop)
            let task = Task {
                await consumer.run()
                finished.raise()
            }
            held[partition] = Held(task: task, stop: stop, finished: finished)
            logger.info("\(worker.name): consuming partition \(partition) as \(self.consumer)")
        }
        return (live.count, moving)
    }

    private func updateLagGauges(held: [Int]) async throws {
        let reader = WorkerStatusReader(redis: redis, namespace: log.configuration.namespace, partitions: log.partitioner.partitions)
        for partition in held {
            guard let status = try await reader.groupStatus(worker: worker.name, partition: partition) else { continue }
            let gauges = WorkerMetrics.lag(worker: worker.name, partition: partition)
            gauges.entries.record(status.lagEntries ?? status.pending)
            gauges.seconds.record(status.lagSeconds)
        }
    }

    private func makeConsumer(partition: Int, leases: PartitionLeases, metrics: WorkerMetrics, stop: SignalFlag) -> PartitionConsumer {
        let keys = WorkerKeys(namespace: log.configuration.namespace, worker: worker.name, partition: partition)
        let processor = DeliveryProcessor(worker: worker, keys: keys, log: log, redis: redis, postgres: postgres,
                                          policy: settings.policy, consumer: consumer, logger: logger, metrics: metrics)
        return PartitionConsumer(keys: keys, worker: worker, processor: processor, settings: settings, redis: redis,
                                 registry: log.registry, history: history, consumer: consumer, liveConsumers: { try await leases.liveMembers() },
                                 logger: logger, stop: stop)
    }
}

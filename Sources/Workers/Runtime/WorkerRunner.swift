import BerrysFoundation
import BerrysRuntime
import EventLog
import Logging
import PostgresClient
import RedisClient

/// Runs one worker in this process on the ownership runtime: its membership and partition
/// leases in Redis (`RedisLeaseStore`), and a `PartitionConsumer` for each partition it owns;
/// partitions are given back when more processes join and taken when processes leave or die.
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
    let stop: StopSignal

    func run() async {
        let leases = RedisLeaseStore(keys: log.configuration.keys, owner: worker.name, partitions: log.partitioner.partitions,
                                     holder: consumer, redis: redis, lease: settings.lease, clock: log.clock)
        let metrics = WorkerMetrics(worker: worker.name)
        let runtime = OwnershipRuntime(
            name: "worker \(worker.name)", store: leases, clock: log.clock,
            settings: OwnershipSettings(leaseDuration: settings.lease), partitions: log.partitioner.partitions,
            offset: offset, logger: logger, onLeaseLost: { _ in metrics.leasesLost.increment() },
            afterTick: { running in try? await updateLagGauges(running) })
        await runtime.run(stop: stop) { partition, stop in
            await makeConsumer(partition: partition, leases: leases, metrics: metrics, stop: stop).run()
        }
    }

    private func updateLagGauges(_ partitions: Set<Int>) async throws {
        let reader = WorkerStatusReader(redis: redis, namespace: log.configuration.namespace, partitions: log.partitioner.partitions)
        for partition in partitions {
            guard let status = try await reader.groupStatus(worker: worker.name, partition: partition) else { continue }
            let gauges = WorkerMetrics.lag(worker: worker.name, partition: partition)
            gauges.entries.record(status.lagEntries ?? status.pending)
            gauges.seconds.record(status.lagSeconds)
        }
    }

    private func makeConsumer(partition: Int, leases: RedisLeaseStore, metrics: WorkerMetrics, stop: StopSignal) -> PartitionConsumer {
        let keys = WorkerKeys(namespace: log.configuration.namespace, worker: worker.name, partition: partition)
        let processor = DeliveryProcessor(worker: worker, keys: keys, log: log, redis: redis, postgres: postgres,
                                          policy: settings.policy, consumer: consumer, logger: logger, metrics: metrics)
        return PartitionConsumer(keys: keys, worker: worker, processor: processor, settings: settings, redis: redis,
                                 registry: log.registry, history: history, consumer: consumer, liveConsumers: { try await leases.liveMembers() },
                                 logger: logger, stop: stop, clock: log.clock)
    }
}

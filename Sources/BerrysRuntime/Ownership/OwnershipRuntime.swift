import BerrysFoundation
import Logging
import ServiceLifecycle

/// The one partition-ownership runtime: keeps this process's membership and leases in a
/// `LeaseStore`, takes and gives back partitions toward its fair share of the live processes
/// (`PartitionOwnership`), and runs each owned partition's work as a child task of one task
/// group, until its stop signal.
///
/// - A partition given back (another process joined) has its work asked to stop gracefully;
///   its lease is released once the work has returned.
/// - A lost lease cancels that partition's work at once; the partition is not taken again
///   until that work has returned.
/// - The stop (`run(stop:work:)`'s signal, raised by a graceful shutdown) asks every work to
///   stop gracefully, waits for them, gives every lease back and leaves, so that the other
///   processes take over at once. Cancelling `run` cancels every work instead, then gives the
///   leases back the same way.
///
/// Time comes from the injected clock (a `ManualClock` in tests): ticks, quick ticks after a
/// change, and the backoff after a failed tick (the store unreachable).
public struct OwnershipRuntime<Store: LeaseStore, C: Clock>: Sendable where C.Duration == Duration {
    /// What owns partitions, for the logs (`worker planning-to-agent`, `projection agents v2`).
    let name: String
    let store: Store
    let clock: C
    let settings: OwnershipSettings
    let partitions: Int
    let offset: Int
    let logger: Logger
    let onLeaseLost: @Sendable (Int) -> Void
    let afterTick: @Sendable (_ running: Set<Int>) async -> Void

    /// - Parameters:
    ///   - offset: where this process starts looking for free partitions (spread processes out).
    ///   - onLeaseLost: told of each lost lease (a metric).
    ///   - afterTick: called after each successful tick with the partitions whose work runs
    ///     (lag gauges).
    public init(name: String, store: Store, clock: C, settings: OwnershipSettings, partitions: Int, offset: Int,
                logger: Logger, onLeaseLost: @escaping @Sendable (Int) -> Void = { _ in },
                afterTick: @escaping @Sendable (Set<Int>) async -> Void = { _ in }) {
        self.name = name
        self.store = store
        self.clock = clock
        self.settings = settings
        self.partitions = partitions
        self.offset = offset
        self.logger = logger
        self.onLeaseLost = onLeaseLost
        self.afterTick = afterTick
    }

    /// Owns partitions and runs `work` for each until the graceful shutdown of the service it
    /// runs in (a `Service`'s `run`).
    public func runUntilGracefulShutdown(_ work: @escaping PartitionWork) async {
        let stop = StopSignal()
        await withGracefulShutdownHandler {
            await run(stop: stop, work: work)
        } onGracefulShutdown: {
            stop.raise()
        }
    }

    /// Owns partitions and runs `work` for each until `stop` is raised (then stops gracefully,
    /// gives the leases back and leaves) or the task is cancelled.
    ///
    /// The runtime's own steps (ticks, renewals, give-backs) run on a thread of their own
    /// (`DedicatedTaskExecutor`), the partitions' work on Swift's pool: a pool kept busy by the
    /// work, or by other code of the process, does not delay the renewals until leases lapse.
    public func run(stop: StopSignal, work: @escaping PartitionWork) async {
        let executor = DedicatedTaskExecutor(name: "leases")
        defer { executor.shutdown() }
        await withTaskExecutorPreference(executor) {
            await ownPartitions(stop: stop, work: work)
        }
    }

    private func ownPartitions(stop: StopSignal, work: @escaping PartitionWork) async {
        var ownership = PartitionOwnership(partitions: partitions, offset: offset, quickTicks: settings.quickTicks)
        var running = RunningWork()
        var failures = 0
        var renewals = Renewals<C>(interval: settings.tick / 2)
        await withTaskGroup(of: Void.self) { group in
            while !stop.isRaised && !Task.isCancelled {
                let pause: Duration
                do {
                    try await tick(&ownership, &running, &group, &renewals, work: work)
                    failures = 0
                    pause = ownership.pause(normal: settings.tick, quick: settings.quickTick)
                } catch {
                    failures += 1
                    pause = settings.retry.delay(attempt: failures - 1)
                    logger.warning("\(name): leases not renewed (\(error)); trying again in \(pause.secondsText)")
                }
                await stop.sleep(for: pause, on: clock)
            }
            await finishWork(&ownership, &running, &group, &renewals)
        }
        // Given back, so that the others take over at once rather than when the leases expire,
        // also when `run` was cancelled. In a task of its own, awaited here: a cancelled task's
        // queries would be refused, and Swift has no cancellation shield yet.
        let store = store, owned = ownership.toRenew
        await Task {
            for partition in owned { try? await store.release(partition) }
            try? await store.leave()
        }.value
    }

    /// Asks every work to stop gracefully and keeps renewing the leases (every tick, and as each
    /// work ends) until every work has returned, releasing each partition as its work ends: a
    /// work that takes longer than the rest of its lease to finish what is in hand must not find
    /// its lease gone (its progress would be refused, and the next owner would handle it again).
    /// When `run` is cancelled, the works are cancelled and only waited for.
    private func finishWork(_ ownership: inout PartitionOwnership, _ running: inout RunningWork, _ group: inout TaskGroup<Void>,
                            _ renewals: inout Renewals<C>) async {
        running.stopAll()
        while !ownership.held.isEmpty && !Task.isCancelled {
            let clock = clock, tick = settings.tick
            group.addTask { try? await clock.sleep(for: tick) }  // wakes `next()` if no work ends first
            _ = await group.next()
            do {
                try await renewIfDue(&ownership, &running, &renewals)
                for partition in ownership.workEnded(running.takeEnded()) { try await store.release(partition) }
            } catch {
                logger.warning("\(name): leases not renewed while stopping (\(error))")
            }
        }
        group.cancelAll()  // the last tick's sleep; the works have returned (or `run` was cancelled)
        await group.waitForAll()
    }

    /// Renews the held leases unless they were renewed less than half a tick ago, and cancels
    /// the work of any lost. Not on every quick tick: a renewal writes the lease keys that the
    /// workers' fenced reads watch, and renewals every 50 ms (punctual since the runtime has its
    /// own thread) aborted a slow read 8 times in a row, which restarted the partition and had
    /// its in-hand events handled again.
    private func renewIfDue(_ ownership: inout PartitionOwnership, _ running: inout RunningWork, _ renewals: inout Renewals<C>) async throws {
        let now = clock.now
        guard renewals.isDue(at: now) else { return }
        for partition in ownership.leasesLost(try await store.renew(ownership.toRenew)) {
            logger.warning("\(name): lost the lease of partition \(partition); stopping it")
            onLeaseLost(partition)
            running.cancel(partition)
        }
        renewals.renewed(at: now)
    }

    /// Membership, renewals, ended work, then give back or take toward the fair share.
    private func tick(_ ownership: inout PartitionOwnership, _ running: inout RunningWork, _ group: inout TaskGroup<Void>,
                      _ renewals: inout Renewals<C>,
                      work: @escaping PartitionWork) async throws {
        let live = try await store.heartbeat()
        try await renewIfDue(&ownership, &running, &renewals)
        for partition in ownership.workEnded(running.takeEnded()) {
            try await store.release(partition)
            logger.info("\(name): released partition \(partition)")
        }
        let plan = ownership.plan(liveMembers: live, free: try await store.freePartitions())
        for partition in plan.giveBack {
            logger.info("\(name): giving partition \(partition) back")
            running.stopGracefully(partition)
        }
        await afterTick(Set(ownership.held.filter { $0.value == .running }.keys))
        for partition in plan.take where try await store.acquire(partition) {
            ownership.acquired(partition)
            running.start(partition, in: &group, work: work)
            logger.info("\(name): owns partition \(partition)")
        }
    }
}

/// When the leases were last renewed, and whether they are due again.
struct Renewals<C: Clock> where C.Duration == Duration {
    let interval: Duration
    private var last: C.Instant?

    init(interval: Duration) { self.interval = interval }

    func isDue(at now: C.Instant) -> Bool { last.map { $0.duration(to: now) >= interval } ?? true }

    mutating func renewed(at now: C.Instant) { last = now }
}

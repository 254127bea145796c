/// A task executor that runs the tasks preferring it on one dedicated OS thread, away from
/// Swift's cooperative pool.
///
/// For work that must keep its pace when the pool is busy: the ownership runtime renews its
/// leases from here. Measured under the full suite beside two CPU hogs on 2 cores, the pool's
/// wake-ups were up to 5.7 s late (115–174 late wake-ups per run) while dedicated threads
/// were never 250 ms late; a renewal takes several hops (tick, pool connection, Redis reply),
/// each of which waited in the pool's queue, and 10 s leases lapsed.
///
/// `@unchecked Sendable`: its only state is the `DedicatedThreadExecutor`, itself safe to
/// share.
public final class DedicatedTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let thread: DedicatedThreadExecutor

    /// Starts the thread, named `name` (shown by `top -H`).
    public init(name: String) {
        thread = DedicatedThreadExecutor(name: name)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        thread.enqueue(UnownedJob(job), preferring: asUnownedTaskExecutor())
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    /// Lets the thread finish the queued jobs and end: once no task prefers this executor.
    public func shutdown() {
        thread.shutdown()
    }
}

import Foundation

/// A serial executor that runs every job on one dedicated OS thread.
///
/// Actors that own a blocking C handle (hiredis, libpq) use it as their executor, so a
/// blocking call waits on this thread and never on Swift's cooperative pool.
///
/// `@unchecked Sendable`: the work queue, the stop flag and the thread's id are only touched
/// while holding `condition`; the thread itself is only started once, in `init`.
public final class DedicatedThreadExecutor: SerialExecutor, @unchecked Sendable {
    private enum Work {
        case job(UnownedJob)
        case taskJob(UnownedJob, UnownedTaskExecutor)
        case closure(@Sendable () -> Void)
    }

    private let condition = NSCondition()
    private var queue: [Work] = []
    private var stopping = false
    private var threadID: pthread_t?

    /// Starts the thread.
    /// - Parameter name: the thread's name, shown by debuggers and `top -H`.
    public init(name: String) {
        let thread = Thread { [self] in
            // Named from inside: on Linux a name given to the Thread before it starts does not
            // reach the OS thread, which then showed under its creator's name in perf and top.
            Thread.current.name = name
            self.runLoop()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        add(.job(UnownedJob(job)))
    }

    /// Runs `body` on this executor's thread, in turn with its jobs: code that is woken by
    /// another thread and must run where the actor's state lives, without a task of its own.
    /// Inside, `actor.assumeIsolated` reaches the state of an actor using this executor.
    public func execute(_ body: @escaping @Sendable () -> Void) {
        add(.closure(body))
    }

    /// Runs a job of a task that prefers `taskExecutor` (a `DedicatedTaskExecutor` on this
    /// thread): a task's own code, not an actor's.
    func enqueue(_ job: UnownedJob, preferring taskExecutor: UnownedTaskExecutor) {
        add(.taskJob(job, taskExecutor))
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Stops the program unless it runs on this executor's thread (how `assumeIsolated`
    /// checks isolation outside a job, e.g. in an `execute` closure).
    public func checkIsolated() {
        condition.lock()
        let id = threadID
        condition.unlock()
        precondition(id.map { pthread_equal($0, pthread_self()) != 0 } ?? false,
                     "not on the thread of this DedicatedThreadExecutor")
    }

    /// Lets the thread finish the queued jobs and end.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func add(_ work: Work) {
        condition.lock()
        queue.append(work)
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        condition.lock()
        threadID = pthread_self()
        condition.unlock()
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty && stopping {
                condition.unlock()
                return
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            condition.unlock()
            for work in batch {
                switch work {
                case .job(let job): job.runSynchronously(on: asUnownedSerialExecutor())
                case .taskJob(let job, let executor): job.runSynchronously(on: executor)
                case .closure(let body): body()
                }
            }
        }
    }
}

import Synchronization

/// One owned partition's work: runs until `stop` (finish what is in hand, return) or
/// cancellation (lease lost: return at once).
public typealias PartitionWork = @Sendable (_ partition: Int, _ stop: StopSignal) async -> Void

/// The works of the owned partitions: their stop and cancel signals, and which have ended.
struct RunningWork {
    private struct Handle {
        let stop = StopSignal()
        let cancel = StopSignal()
    }

    private var handles: [Int: Handle] = [:]
    private let ended = EndedPartitions()

    /// Starts `work` for `partition` as a child of `group`. The child races the work with its
    /// cancel signal: cancelling the one child cancels the work and waits for it to return.
    /// The work runs on Swift's pool, not on the runtime's own thread.
    mutating func start(_ partition: Int, in group: inout TaskGroup<Void>, work: @escaping PartitionWork) {
        let handle = Handle()
        handles[partition] = handle
        let ended = ended
        group.addTask(executorPreference: globalConcurrentExecutor) {
            await withTaskGroup(of: Void.self) { racing in
                racing.addTask { await work(partition, handle.stop) }
                racing.addTask { await handle.cancel.wait() }
                await racing.next()
                racing.cancelAll()
            }
            ended.insert(partition)
        }
    }

    func stopGracefully(_ partition: Int) { handles[partition]?.stop.raise() }

    func cancel(_ partition: Int) { handles[partition]?.cancel.raise() }

    func stopAll() { for handle in handles.values { handle.stop.raise() } }

    /// The partitions whose work returned since the last call (their handles are dropped).
    mutating func takeEnded() -> Set<Int> {
        let partitions = ended.take()
        for partition in partitions { handles[partition] = nil }
        return partitions
    }
}

/// Partitions whose work returned, written by the works' tasks and taken by the runtime's tick.
final class EndedPartitions: Sendable {
    private let partitions = Mutex<Set<Int>>([])

    func insert(_ partition: Int) { partitions.withLock { _ = $0.insert(partition) } }

    func take() -> Set<Int> { partitions.withLock { taken in defer { taken = [] }; return taken } }
}

/// The partition loops of one projection version that this process runs, by partition.
///
/// A loop ends by itself when its lease is found lost (the apply transaction's fence), and
/// is stopped when its lease is given back or the version stops; an error it ends with is
/// kept for the version to rethrow (and so be restarted by the projector, as before leases).
actor PartitionTasks {
    private var running: [Int: (generation: Int, task: Task<Void, Never>)] = [:]
    private var generation = 0
    private var failures: [any Error] = []

    /// The partitions whose loop runs.
    var partitions: Set<Int> { Set(running.keys) }

    /// The first error a loop ended with, if any.
    var failure: (any Error)? { failures.first }

    /// Starts `body` as the loop of `partition`.
    func start(_ partition: Int, _ body: @escaping @Sendable () async throws -> Void) {
        generation += 1
        let generation = generation
        let task = Task {
            do { try await body() } catch is CancellationError {} catch { self.record(error) }
            self.ended(partition, generation)
        }
        running[partition] = (generation, task)
    }

    /// Cancels the loop of `partition` and waits for it.
    func stop(_ partition: Int) async {
        guard let loop = running.removeValue(forKey: partition) else { return }
        loop.task.cancel()
        await loop.task.value
    }

    /// Cancels every loop and waits for them.
    func stopAll() async {
        let all = running.values
        running.removeAll()
        for loop in all { loop.task.cancel() }
        for loop in all { await loop.task.value }
    }

    private func record(_ error: any Error) { failures.append(error) }

    private func ended(_ partition: Int, _ generation: Int) {
        if running[partition]?.generation == generation { running[partition] = nil }
    }
}

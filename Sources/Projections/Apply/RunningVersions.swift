/// The versions this process is projecting, with their tasks.
actor RunningVersions {
    private var tasks: [String: Task<Void, Never>] = [:]
    private var starting: Set<String> = []

    /// Claims `key` for starting; false when it already runs.
    func start(_ key: String) -> Bool {
        guard tasks[key] == nil, !starting.contains(key) else { return false }
        starting.insert(key)
        return true
    }

    func attach(_ key: String, _ task: Task<Void, Never>) {
        starting.remove(key)
        tasks[key] = task
    }

    func finished(_ key: String) { tasks[key] = nil }

    /// Cancels versions that are no longer live.
    func keep(only keys: Set<String>) {
        for (key, task) in tasks where !keys.contains(key) {
            task.cancel()
            tasks[key] = nil
        }
    }

    /// Cancels every version and returns the tasks, to wait for them.
    func cancelAll() -> [Task<Void, Never>] {
        let all = Array(tasks.values)
        all.forEach { $0.cancel() }
        tasks.removeAll()
        return all
    }
}

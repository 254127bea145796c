import Workers

/// The Berrys platform's consumer workers.
public enum BerrysWorkerCatalog {
    /// Every domain worker, in the order `berrys workers list` shows them.
    public static let all: [any Worker] = [
        AgentLifecycleWorker(), PlanningToAgentWorker(), ExecutionToTaskWorker(), MessageRouterWorker(), DeadlineWorker(),
    ]

    /// The workers named in `names` (all when empty).
    /// - Throws: `WorkerCatalogError` naming an unknown worker and the known ones.
    public static func select(_ names: [String]) throws -> [any Worker] {
        guard !names.isEmpty else { return all }
        return try names.map { name in
            guard let worker = all.first(where: { $0.name == name }) else {
                throw WorkerCatalogError(name: name, known: all.map(\.name))
            }
            return worker
        }
    }
}

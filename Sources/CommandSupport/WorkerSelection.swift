import Connectors
import Logging
import Workers

/// The workers a process runs: the platform's (`PlatformDomain.workers`) and one per connector
/// file of the connectors folder, narrowed by `--only` (which may name either kind).
struct WorkerSelection {
    let workers: [any Worker]
    /// This process's consumer name.
    let consumer: String
    /// The connectors' shared HTTP client and workers; nil when none runs.
    let connectors: ConnectorSet?

    /// - Throws: `ConnectorConfigurationError` for a bad connector file; `WorkerCatalogError`
    ///   for a name of `only` that is neither a worker nor a connector.
    init(only: [String], context: Context, consumer: String, logger: Logger) throws {
        let definitions = try ConnectorFolder.locate().map {
            try ConnectorFolder.loadAll(from: $0, knownTypes: Set(context.registry.types))
        } ?? []
        let connectorNames = Set(definitions.map(\.workerName))
        let all = context.domain.workers
        let known = all.map(\.name) + connectorNames.sorted()
        if let unknown = only.first(where: { !known.contains($0) }) { throw WorkerCatalogError(name: unknown, known: known) }
        let platform = only.isEmpty ? all : all.filter { only.contains($0.name) }
        let chosen = only.isEmpty ? definitions : definitions.filter { only.contains($0.workerName) }
        if chosen.isEmpty {
            connectors = nil
        } else {
            connectors = ConnectorSet(definitions: chosen, knownTypes: Set(context.registry.types), redis: context.redis,
                                      namespace: context.settings.log.namespace, consumer: consumer, clock: context.clock, logger: logger)
            for definition in chosen {
                logger.info("connector \(definition.name) → \(definition.url.absoluteString) (\(definition.filters.map(\.description).joined(separator: ", ")))")
            }
        }
        workers = platform + (connectors?.workers ?? [])
        self.consumer = consumer
    }
}

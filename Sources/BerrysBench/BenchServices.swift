import BerrysRuntime
import Logging
import ServiceLifecycle

/// Runs `body` while `services` run in one service group (warnings and worse logged), and
/// stops them gracefully after it, also when `body` throws.
func withBenchServices<T: Sendable>(_ services: [any Service], _ body: () async throws -> T) async throws -> T {
    var logger = Logger(label: "berrys.bench")
    logger.logLevel = .warning
    let group = ServiceGroup(configuration: .named(services, logger: logger))
    let task = Task { try await group.run() }
    do {
        let result = try await body()
        await group.triggerGracefulShutdown()
        try await task.value
        return result
    } catch {
        await group.triggerGracefulShutdown()
        try? await task.value
        throw error
    }
}

import BerrysRuntime
import Logging
import ServiceLifecycle

/// Services running in a task of their own, as one process runs them, stopped by a graceful
/// shutdown.
public struct RunningServices: Sendable {
    let group: ServiceGroup
    let task: Task<Void, any Error>

    /// Starts `services` in one service group.
    public static func start(_ services: [any Service], logger: Logger = RunningServices.quietLogger) -> RunningServices {
        let group = ServiceGroup(configuration: .named(services, logger: logger))
        return RunningServices(group: group, task: Task { try await group.run() })
    }

    /// Stops them gracefully, as SIGTERM would, and waits for them.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// A logger for test services: warnings and worse only.
    public static var quietLogger: Logger {
        var logger = Logger(label: "test.services")
        logger.logLevel = .warning
        return logger
    }
}

/// Runs `body` while `services` run, and stops them after it, also when `body` throws.
public func withServices<T>(_ services: [any Service], logger: Logger = RunningServices.quietLogger,
                            _ body: () async throws -> T) async throws -> T {
    let running = RunningServices.start(services, logger: logger)
    do {
        let result = try await body()
        try await running.stop()
        return result
    } catch {
        try? await running.stop()
        throw error
    }
}

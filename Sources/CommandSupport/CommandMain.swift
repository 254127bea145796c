import ArgumentParser
import BerrysFoundation

/// A command that runs services until it is stopped (`run`, `worker`, `project`, `serve`):
/// SIGTERM and SIGINT stop it gracefully from its first instant (see `ServiceRun`). Other
/// commands keep the default action of those signals.
public protocol LongRunningCommand: AsyncParsableCommand {
    /// Runs until done or until `signals` ask it to stop (gracefully, `ServiceRun`).
    func run(signals: ShutdownSignals) async throws
}

extension LongRunningCommand {
    /// Not called: `CommandMain` calls `run(signals:)`.
    public func run() async throws {
        try await run(signals: ShutdownSignals.install())
    }
}

/// The `main` of both commands: SIGPIPE ignored, the arguments parsed as `Root`, the chosen
/// (sub)command run, and the process ended with the command's exit code.
public enum CommandMain {
    /// Runs the command line as `root` describes it; never returns normally on failure.
    public static func run<Root: ParsableCommand>(_ root: Root.Type) async {
        ProcessSetup.ignoreBrokenPipes()
        // Caught before parsing, which takes most of a command's start (25 ms of a debug
        // build's 28): a long-running command then never dies of an early SIGTERM.
        let signals = ShutdownSignals.install()
        do {
            var command = try root.parseAsRoot()
            if let longRunning = command as? any LongRunningCommand {
                try await longRunning.run(signals: signals)
                return
            }
            signals.restoreDefaultAction()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            root.exit(withError: error)
        }
    }
}

import ArgumentParser
import BerrysFoundation

/// The `main` of both commands: SIGPIPE ignored, the arguments parsed as `Root`, the chosen
/// (sub)command run, and the process ended with the command's exit code.
public enum CommandMain {
    /// Runs the command line as `root` describes it; never returns normally on failure.
    public static func run<Root: ParsableCommand>(_ root: Root.Type) async {
        ProcessSetup.ignoreBrokenPipes()
        do {
            var command = try root.parseAsRoot()
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

import Logging
import Synchronization

/// Sets up swift-log once: text or JSON lines on standard error.
///
/// The handler keeps metadata as given and formats it only when a record is written: the API
/// sets a request id on every request's logger, and swift-log's `StreamLogHandler` formats its
/// whole metadata on every such change (4 % of the server's CPU per request when measured).
public enum LoggingSetup {
    /// Set once the logging system is bootstrapped: swift-log allows that once per process.
    private static let done = Mutex(false)

    /// Bootstraps swift-log with `LineLogHandler`; later calls do nothing.
    /// - Parameters:
    ///   - level: a `Logger.Level` name (`info` when unknown).
    ///   - format: `json` for JSON lines, anything else for text.
    public static func bootstrap(level: String, format: String) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        let logLevel = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, format: format == "json" ? .json : .text)
            handler.logLevel = logLevel
            return handler
        }
    }
}

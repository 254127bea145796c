import Logging

/// Sets up swift-log once: text or JSON lines on standard error.
///
/// The handler keeps metadata as given and formats it only when a record is written: the API
/// sets a request id on every request's logger, and swift-log's `StreamLogHandler` formats its
/// whole metadata on every such change (4 % of the server's CPU per request when measured).
enum LoggingSetup {
    nonisolated(unsafe) private static var done = false

    static func bootstrap(level: String, format: String) {
        guard !done else { return }
        done = true
        let logLevel = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, format: format == "json" ? .json : .text)
            handler.logLevel = logLevel
            return handler
        }
    }
}

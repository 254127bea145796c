import BerrysJSON
import Foundation
import EventLog
import Logging

/// Sets up swift-log once: text or JSON lines on standard error.
enum LoggingSetup {
    nonisolated(unsafe) private static var done = false

    static func bootstrap(level: String, format: String) {
        guard !done else { return }
        done = true
        let logLevel = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            if format == "json" {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = logLevel
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
    }
}

/// Writes one JSON object per log record to standard error.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var members: [String: JSON] = [
            "time": .string(Timestamp.now()), "level": .string(event.level.rawValue),
            "logger": .string(label), "message": .string("\(event.message)"),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            members[key] = .string("\(value)")
        }
        FileHandle.standardError.write(Data((JSON.object(members).serialized + "\n").utf8))
    }
}

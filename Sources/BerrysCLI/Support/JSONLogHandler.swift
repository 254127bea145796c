import BerrysJSON
import EventLog
import Foundation
import Logging

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

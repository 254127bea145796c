import BerrysJSON
import EventLog
import Foundation
import Logging

/// Writes one line per log record to standard error, as text or as a JSON object. Metadata is
/// kept as given and only formatted when a record is written.
struct LineLogHandler: LogHandler {
    enum Format {
        /// `TIME LEVEL LABEL: key=value … [SOURCE] MESSAGE`, as swift-log's `StreamLogHandler`.
        case text
        /// `{"time", "level", "logger", "message", and each metadata key}`.
        case json
    }

    let label: String
    let format: Format
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = event.metadata.map { metadata.merging($0, uniquingKeysWith: { $1 }) } ?? metadata
        let line = switch format {
        case .text: text(event, merged)
        case .json: json(event, merged)
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    private func text(_ event: LogEvent, _ metadata: Logger.Metadata) -> String {
        let pairs = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "\(Timestamp.now()) \(event.level) \(label):\(pairs.isEmpty ? "" : " " + pairs) [\(event.source)] \(event.message)"
    }

    private func json(_ event: LogEvent, _ metadata: Logger.Metadata) -> String {
        var members: [String: JSON] = [
            "time": .string(Timestamp.now()), "level": .string(event.level.rawValue),
            "logger": .string(label), "message": .string("\(event.message)"),
        ]
        for (key, value) in metadata { members[key] = .string("\(value)") }
        return JSON.object(members).serialized
    }
}

import EventLog
import Foundation
import Logging

/// Writes one line per log record to standard error:
/// `TIME LEVEL LABEL: key=value … [SOURCE] MESSAGE`, as swift-log's `StreamLogHandler` does,
/// but its metadata is only formatted when a record is written.
struct TextLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = event.metadata.map { metadata.merging($0, uniquingKeysWith: { $1 }) } ?? metadata
        let pairs = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(Timestamp.now()) \(event.level) \(label):\(pairs.isEmpty ? "" : " " + pairs) [\(event.source)] \(event.message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}

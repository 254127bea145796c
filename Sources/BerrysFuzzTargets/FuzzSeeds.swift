import BerrysJSON
import EventLog
import Foundation

extension FuzzTarget {
    /// A starting corpus for each target from the schemas folder: the schemas and their valid
    /// and invalid examples (json, schema), the examples as CloudEvents (cloudevent) and as
    /// stream entries (envelope), plus hand-made CloudEvents that break each attribute rule.
    public static func seeds(schemasFolder: URL) throws -> [FuzzTarget: [[UInt8]]] {
        var seeds: [FuzzTarget: [[UInt8]]] = [:]
        let files = FileManager.default.enumerator(at: schemasFolder, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path } ?? []
        for file in files {
            let bytes = Array(try Data(contentsOf: file))
            seeds[.json, default: []].append(bytes)
            seeds[.schema, default: []].append(bytes)
            guard file.deletingLastPathComponent().lastPathComponent == "examples", let data = try? JSON(parsing: bytes) else { continue }
            let type = file.deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
            let version = file.lastPathComponent.split(separator: ".").first.map { String($0.dropFirst()) } ?? "1"
            let event = EventEnvelope(id: "seed-\(seeds[.cloudevent, default: []].count)", source: "fuzz", type: type,
                                      dataVersion: Int(version) ?? 1, subject: "subject-1", time: "2026-11-25T13:45:00.123Z",
                                      data: data, sequence: 3, partitionKey: "key-1", correlationID: "c-1", causationID: "x-1",
                                      extensions: ["traceparent": "00-abc"])
            seeds[.cloudevent, default: []].append(Array(event.cloudEvent.serialized.utf8))
            let entry = (event.fields + [("sequence", "3")]).map { "\($0.0)=\($0.1)" }.joined(separator: "\n")
            seeds[.envelope, default: []].append(Array(entry.utf8))
        }
        for broken in brokenCloudEvents { seeds[.cloudevent, default: []].append(Array(broken.utf8)) }
        seeds[.sealed] = sealedSeeds()
        return seeds
    }

    /// CloudEvents that each break one rule (after the CloudEvents JSON-format conformance cases).
    static let brokenCloudEvents = [
        #"{"specversion":"1.0","source":"s","type":"t"}"#,
        #"{"specversion":"1.0","id":"1","source":"","type":"t"}"#,
        #"{"specversion":"0.3","id":"1","source":"s","type":"t"}"#,
        #"{"specversion":"1.0","id":"1","source":"s","type":"t","Bad":"x"}"#,
        #"{"specversion":"1.0","id":"1","source":"s","type":"t","data_base64":"AA=="}"#,
        #"{"specversion":"1.0","id":"1","source":"s","type":"t","datacontenttype":"text/plain"}"#,
        #"{"specversion":"1.0","id":"1","source":"s","type":"t","time":"yesterday"}"#,
        #"{"specversion":"1.0","id":"1","source":"s","type":"t","sequence":"-1","subject":"x","dataversion":"1","time":"2026-01-01T00:00:00Z"}"#,
        #"[{"specversion":"1.0"}]"#,
    ]
}

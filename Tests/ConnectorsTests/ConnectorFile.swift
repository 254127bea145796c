import Connectors
import Foundation

/// Writes connector files into a folder of their own, for the tests.
struct ConnectorFile {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("berrys-connectors-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// Writes `name`.yaml with `text`.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let file = folder.appendingPathComponent("\(name).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Writes and loads one connector.
    func load(_ name: String, _ text: String, knownTypes: Set<String>, environment: [String: String] = [:]) throws -> ConnectorDefinition {
        try ConnectorDefinition.load(file: try write(name, text), knownTypes: knownTypes, environment: environment)
    }
}

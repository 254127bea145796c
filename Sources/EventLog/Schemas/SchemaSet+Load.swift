import BerrysJSON
import Foundation
import JSONSchema

extension SchemaSet {
    /// Loads a schemas folder (layout in `SchemaSet`).
    /// - Throws: `EventLogError.registry` naming the file and the problem.
    public static func load(from folder: URL) throws -> SchemaSet {
        let files = FileManager.default
        guard let entries = try? files.contentsOfDirectory(atPath: folder.path) else {
            throw EventLogError(.registry, "cannot read the schemas folder \(folder.path)")
        }
        var set = SchemaSet(schemas: [:])
        let modesFile = folder.appendingPathComponent("compatibility.json")
        if files.fileExists(atPath: modesFile.path) {
            set.modes = try CompatibilityModes(try document(modesFile, named: "compatibility.json"), file: "compatibility.json")
        }
        for type in entries.sorted() where !type.hasPrefix(".") {
            let typeFolder = folder.appendingPathComponent(type)
            var isFolder: ObjCBool = false
            guard files.fileExists(atPath: typeFolder.path, isDirectory: &isFolder), isFolder.boolValue else { continue }
            for file in try files.contentsOfDirectory(atPath: typeFolder.path) {
                guard let version = versionNumber(file, prefix: "v", suffix: ".json") else { continue }
                set.schemas[type, default: [:]][version] = try schema(typeFolder.appendingPathComponent(file), path: "\(type)/\(file)")
            }
            try loadUpcasters(of: type, in: typeFolder.appendingPathComponent("upcasters"), into: &set)
            set.examples[type] = loadExamples(in: typeFolder.appendingPathComponent("examples"))
        }
        return set
    }

    private static func loadUpcasters(of type: String, in folder: URL, into set: inout SchemaSet) throws {
        for file in ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() where file.hasSuffix(".json") {
            let path = "\(type)/upcasters/\(file)"
            let parts = file.dropLast(5).components(separatedBy: "-to-")
            guard parts.count == 2, let from = versionNumber(parts[0], prefix: "v", suffix: ""),
                  let to = versionNumber(parts[1], prefix: "v", suffix: ""), to == from + 1 else {
                throw EventLogError(.registry, field: path, "\(path): name an upcaster v<N>-to-v<N+1>.json (one step at a time)")
            }
            let upcaster = try DeclaredUpcaster(try document(folder.appendingPathComponent(file), named: path), file: path)
            set.declared[type, default: [:]][from] = DeclaredFile(upcaster: upcaster, file: path)
        }
    }

    private static func loadExamples(in folder: URL) -> [Int: [Example]] {
        var examples: [Int: [Example]] = [:]
        for file in ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() {
            let parts = file.split(separator: ".")
            guard parts.count >= 3, parts[1] == "valid", parts.last == "json", let version = Int(parts[0].dropFirst()),
                  let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8),
                  let data = try? JSON(parsing: text) else { continue }
            examples[version, default: []].append(Example(name: file, data: data))
        }
        return examples
    }

    static func versionNumber(_ name: String, prefix: String, suffix: String) -> Int? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        return Int(name.dropFirst(prefix.count).dropLast(suffix.count))
    }

    private static func document(_ url: URL, named path: String) throws -> JSON {
        do {
            return try JSON(parsing: String(contentsOf: url, encoding: .utf8))
        } catch {
            throw EventLogError(.registry, field: path, "\(path): \(error)")
        }
    }

    private static func schema(_ url: URL, path: String) throws -> JSONSchema {
        let document = try document(url, named: path)
        for attribute in ["$id", "title", "description"] where document[attribute]?.stringValue == nil {
            throw EventLogError(.registry, field: path, "\(path) has no \(attribute)")
        }
        do {
            return try JSONSchema(document)
        } catch {
            throw EventLogError(.registry, field: path, "\(path): \(error)")
        }
    }
}

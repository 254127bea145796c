import CommandSupport
import Foundation

/// The published schemas `schemas check --against` compares with: a folder as it is, or the
/// schemas folder of a git ref extracted to a temporary folder (removed afterwards).
struct SchemaBase {
    let folder: URL
    private let temporary: URL?

    /// `reference` is a folder (its `schemas/` subfolder if it has one) or a git ref of the
    /// repository that holds `schemas`.
    static func load(_ reference: String, beside schemas: URL) throws -> SchemaBase {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: reference, isDirectory: &isFolder), isFolder.boolValue {
            let nested = URL(fileURLWithPath: reference).appendingPathComponent("schemas")
            let useNested = FileManager.default.fileExists(atPath: nested.path)
            return SchemaBase(folder: useNested ? nested : URL(fileURLWithPath: reference), temporary: nil)
        }
        guard let top = try? git(["-C", schemas.path, "rev-parse", "--show-toplevel"]).trimmingCharacters(in: .whitespacesAndNewlines) else {
            throw SchemaBaseError(message: "'\(reference)' is not a folder, and \(schemas.path) is not in a git repository to read it as a ref from")
        }
        let prefix = try git(["-C", schemas.path, "rev-parse", "--show-prefix"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("berrys-schemas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let script = #"set -o pipefail; git -C "$1" archive --format=tar "$2" -- "$3" | tar -x -C "$4""#
        do {
            _ = try run("/bin/bash", ["-c", script, "schema-base", top, reference, prefix.isEmpty ? "." : prefix, temporary.path])
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        return SchemaBase(folder: temporary.appendingPathComponent(prefix), temporary: temporary)
    }

    /// Removes the extracted copy.
    func remove() {
        if let temporary { try? FileManager.default.removeItem(at: temporary) }
    }

    private static func git(_ arguments: [String]) throws -> String {
        try run("/usr/bin/env", ["git"] + arguments)
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SchemaBaseError(message: "cannot read the base schemas: " + problem.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return text
    }
}

/// The base given to `--against` could not be read: a configuration error (78).
struct SchemaBaseError: CommandFailure {
    let message: String
    var report: String { "berrys: BERRYS_REGISTRY: \(message)" }
    var exitCode: Int32 { ExitCodes.configuration }
}

import EventLog
import Foundation

/// Finds and loads the Berrys schemas folder.
public enum BerrysSchemas {
    /// The schemas folder: `BERRYS_SCHEMAS_DIR`, else `schemas/` in the current folder or in a
    /// parent of the executable's folder (so a built binary finds the repository's schemas).
    public static func folder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let configured = environment["BERRYS_SCHEMAS_DIR"] { return URL(fileURLWithPath: configured) }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(folder)
            folder = folder.deletingLastPathComponent()
        }
        return candidates.map { $0.appendingPathComponent("schemas") }
            .first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("agent.created").path) }
    }

    /// Upcasters written in Swift, for conversions data cannot express. None today: the
    /// domain's one upcaster (agent.created v1 → v2) is declared as data in
    /// `schemas/agent.created/upcasters/`.
    public static let swiftUpcasters: [Upcaster] = []

    /// Loads the registry with the declared and the Swift upcasters.
    /// - Throws: `EventLogError.registry` when the folder is missing or a schema is wrong.
    public static func registry(folder: URL? = nil) throws -> SchemaRegistry {
        guard let folder = folder ?? self.folder() else {
            throw EventLogError(.registry, "cannot find the schemas folder; set BERRYS_SCHEMAS_DIR")
        }
        return try SchemaRegistry.load(from: folder, upcasters: swiftUpcasters)
    }
}

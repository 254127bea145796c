import Foundation

/// Finds the `projections/` folder.
public enum ProjectionFolder {
    /// `BERRYS_PROJECTIONS_DIR`, else `projections/` in the current folder or in a parent of the
    /// executable's folder (so a built binary finds the repository's projections).
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let configured = environment["BERRYS_PROJECTIONS_DIR"] { return URL(fileURLWithPath: configured) }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(folder)
            folder = folder.deletingLastPathComponent()
        }
        return candidates.map { $0.appendingPathComponent("projections") }
            .first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("archive/projection.json").path) }
    }
}

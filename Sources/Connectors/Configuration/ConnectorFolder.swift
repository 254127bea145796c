import Foundation

/// Where connector files live: `BERRYS_CONNECTORS_DIR`, else `connectors/` in the current folder.
public enum ConnectorFolder {
    /// The folder, or nil when there is none (no connectors then).
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let configured = environment["BERRYS_CONNECTORS_DIR"], !configured.isEmpty { return URL(fileURLWithPath: configured) }
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("connectors")
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: here.path, isDirectory: &isDirectory) && isDirectory.boolValue ? here : nil
    }

    /// Every `*.yaml` file of `folder`, in name order, checked.
    /// - Throws: `ConnectorConfigurationError` for the first bad file (or an unreadable folder).
    public static func loadAll(from folder: URL, knownTypes: Set<String>,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [ConnectorDefinition] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConnectorConfigurationError(file: folder.path, field: nil, "is not a folder (set BERRYS_CONNECTORS_DIR to the connectors folder, or unset it)")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw ConnectorConfigurationError(file: folder.path, field: nil, "cannot be listed: \(error.localizedDescription)")
        }
        return try names.filter { $0.hasSuffix(".yaml") }.sorted().map {
            try ConnectorDefinition.load(file: folder.appendingPathComponent($0), knownTypes: knownTypes, environment: environment)
        }
    }
}

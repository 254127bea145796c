import BerrysJSON
import Foundation

/// A read model declared under `projections/<name>/`.
///
/// Files: `projection.json` (name, version, description, handles, options), `schema.sql` (its
/// tables, unqualified), and per handled type either `handlers/<event type>.sql` (statements
/// run once per event with `$1` = the event as jsonb) or `handlers/<event type>.batch.sql`
/// (statements run once per run of consecutive events of the type in a batch, with `$1` = a
/// jsonb array of them in log order). A projection that handles `"*"` has one handler,
/// `handlers/all.sql` or `handlers/all.batch.sql`, run for every event.
public struct ProjectionDefinition: Sendable, Hashable {
    public var name: String
    public var version: Int
    public var description: String
    /// The event types it handles, or `["*"]` for all.
    public var handles: [String]
    /// Events per transaction when live.
    public var batchSize: Int
    public var schemaSQL: String
    /// Handler statements by event type (`*` for the catch-all handler).
    public var handlers: [String: [String]]
    /// The types (keys of `handlers`) whose handler is a batch handler.
    public var batchHandlers: Set<String> = []
    /// Projections whose tables this one takes over once live (`"replaces"`; see `ViewPlan`).
    public var replaces: [String] = []
    /// The reference data it includes (`"reference_data"`), each a table of that name: the
    /// same rows in every projection that includes it, so its view shows one copy.
    public var referenceData: [String] = []
    /// A digest of every file; a change without a version bump is refused.
    public var checksum: String

    /// The PostgreSQL schema this version lives in, `proj_<name>_v<version>`.
    public var schemaName: String { "proj_\(name)_v\(version)" }

    /// The handler statements for an event type, or nil when it does not handle it.
    public func statements(for type: String) -> [String]? {
        handlers[type] ?? handlers["*"]
    }

    /// The key of `handlers` an event type runs (its own, or `*`), nil when it is not handled.
    public func handlerKey(for type: String) -> String? {
        handlers[type] != nil ? type : handlers["*"] != nil ? "*" : nil
    }

    /// Loads every projection folder under `folder`.
    /// - Parameters:
    ///   - knownTypes: event types that exist; a handler for another type is refused.
    ///   - referenceData: SQL the application provides by name (e.g. the domain's state-machine
    ///     tables); a manifest's `reference_data` list appends it to the version's schema, and it
    ///     counts in the checksum, so changed reference data also needs a version bump.
    /// - Throws: `ProjectionError.definition` naming the file and the problem.
    public static func loadAll(from folder: URL, knownTypes: Set<String>? = nil,
                               referenceData: [String: String] = [:]) throws -> [ProjectionDefinition] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return try names.sorted().filter { name in
            FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).appendingPathComponent("projection.json").path)
        }.map { try load(from: folder.appendingPathComponent($0), knownTypes: knownTypes, referenceData: referenceData) }
    }

    /// Loads one projection folder.
    public static func load(from folder: URL, knownTypes: Set<String>? = nil,
                            referenceData: [String: String] = [:]) throws -> ProjectionDefinition {
        func read(_ relative: String) throws -> String {
            let url = folder.appendingPathComponent(relative)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw ProjectionError(.definition, "cannot read \(url.path)")
            }
            return text
        }
        let manifestText = try read("projection.json")
        let manifest: JSON
        do { manifest = try JSON(parsing: manifestText) } catch {
            throw ProjectionError(.definition, "\(folder.lastPathComponent)/projection.json: \(error)")
        }
        let place = "\(folder.lastPathComponent)/projection.json"
        guard let name = manifest["name"]?.stringValue, name.range(of: "^[a-z][a-z0-9_]{0,40}$", options: .regularExpression) != nil else {
            throw ProjectionError(.definition, "\(place): name must be lowercase a-z0-9_ (at most 41 characters, starting with a letter)")
        }
        guard let version = manifest["version"]?.intValue, version > 0 else {
            throw ProjectionError(.definition, "\(place): version must be a positive integer")
        }
        guard let handles = manifest["handles"]?.arrayValue?.compactMap(\.stringValue), !handles.isEmpty else {
            throw ProjectionError(.definition, "\(place): handles must be a non-empty array of event types")
        }
        let batchSize = manifest["options"]?["batch_size"]?.intValue ?? 500
        guard (1...100_000).contains(batchSize) else { throw ProjectionError(.definition, "\(place): options.batch_size must be 1…100000") }
        if let knownTypes {
            for type in handles where type != "*" && !knownTypes.contains(type) {
                throw ProjectionError(.definition, "\(place): handles unknown event type '\(type)'")
            }
        }
        // Reference data comes first, so the projection's own functions and views can use it.
        var schemaSQL = ""
        let referenceNames = manifest["reference_data"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for name in referenceNames {
            guard let sql = referenceData[name] else {
                throw ProjectionError(.definition, "\(place): unknown reference_data '\(name)' (known: \(referenceData.keys.sorted().joined(separator: ", ")))")
            }
            schemaSQL += "-- reference data: \(name)\n" + sql + "\n"
        }
        schemaSQL += try read("schema.sql")
        var handlers: [String: [String]] = [:]
        var batchHandlers: Set<String> = []
        var files = [manifestText, schemaSQL]
        for type in handles {
            let base = type == "*" ? "handlers/all" : "handlers/\(type)"
            let single = FileManager.default.fileExists(atPath: folder.appendingPathComponent(base + ".sql").path)
            let batch = FileManager.default.fileExists(atPath: folder.appendingPathComponent(base + ".batch.sql").path)
            guard !(single && batch) else {
                throw ProjectionError(.definition, "\(name)/\(base).sql and \(base).batch.sql both exist: keep one handler per type")
            }
            let file = base + (batch ? ".batch.sql" : ".sql")
            let sql = try read(file)
            // The batch form's file name counts too: the same SQL as the other form is another handler.
            files += [file, sql]
            handlers[type] = SQLStatements.split(sql)
            if batch { batchHandlers.insert(type) }
            guard !(handlers[type]!.isEmpty) else { throw ProjectionError(.definition, "\(name)/\(file) has no statement") }
        }
        var definition = ProjectionDefinition(name: name, version: version, description: manifest["description"]?.stringValue ?? "",
                                              handles: handles, batchSize: batchSize, schemaSQL: schemaSQL, handlers: handlers,
                                              checksum: Checksum.fnv1a64(files))
        definition.batchHandlers = batchHandlers
        guard let replaces = (manifest["replaces"] ?? .array([])).arrayValue?.compactMap(\.stringValue) else {
            throw ProjectionError(.definition, "\(place): replaces must be an array of projection names")
        }
        definition.replaces = replaces
        definition.referenceData = referenceNames
        return definition
    }
}

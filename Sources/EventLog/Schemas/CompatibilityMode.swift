import BerrysJSON

/// How the versions of an event type may change (set per type in `schemas/compatibility.json`).
///
/// In the event-sourcing sense: events are never rewritten, so what matters most is that every
/// event ever written can still be read as the newest version.
public enum CompatibilityMode: String, Sendable, Hashable, CaseIterable {
    /// Every event valid under an older version is valid under the next one, or an upcaster
    /// (declared or Swift) turns it into one. The default.
    case backward = "BACKWARD"
    /// Every event of a newer version is valid under the one before (readers not yet upgraded
    /// can read it); upcasters do not help.
    case forward = "FORWARD"
    /// Both, without upcasters.
    case full = "FULL"
    /// Nothing is checked; a step without an upcaster reads old events as they are.
    case none = "NONE"

    /// True when old events must stay readable as new ones.
    var checksBackward: Bool { self == .backward || self == .full }
    /// True when new events must stay readable by old readers.
    var checksForward: Bool { self == .forward || self == .full }
    /// True when an upcaster may stand in for a breaking change.
    var acceptsUpcasters: Bool { self == .backward || self == .none }
}

/// The compatibility mode of each event type: `{"default": "BACKWARD", "types": {"t": "FULL"}}`.
public struct CompatibilityModes: Sendable, Hashable {
    public var fallback: CompatibilityMode
    public var byType: [String: CompatibilityMode]

    public init(fallback: CompatibilityMode = .backward, byType: [String: CompatibilityMode] = [:]) {
        self.fallback = fallback
        self.byType = byType
    }

    /// The mode of `type`.
    public func mode(of type: String) -> CompatibilityMode { byType[type] ?? fallback }

    /// Reads `compatibility.json`.
    /// - Throws: `EventLogError.registry` naming the entry and the modes allowed.
    public init(_ document: JSON, file: String) throws {
        func mode(_ value: JSON?, _ place: String) throws -> CompatibilityMode {
            guard let text = value?.stringValue, let mode = CompatibilityMode(rawValue: text) else {
                let allowed = CompatibilityMode.allCases.map(\.rawValue).joined(separator: ", ")
                throw EventLogError(.registry, field: file, "\(file): \(place) must be one of \(allowed)")
            }
            return mode
        }
        let unknown = Set(document.objectValue?.keys.map { $0 } ?? []).subtracting(["default", "types", "$comment"])
        guard document.objectValue != nil, unknown.isEmpty else {
            throw EventLogError(.registry, field: file, "\(file): expected an object with \"default\" and \"types\"" +
                                (unknown.isEmpty ? "" : " (unknown: \(unknown.sorted().joined(separator: ", ")))"))
        }
        fallback = document["default"] == nil ? .backward : try mode(document["default"], "\"default\"")
        byType = [:]
        for (type, value) in document["types"]?.objectValue ?? [:] { byType[type] = try mode(value, "types.\(type)") }
    }
}

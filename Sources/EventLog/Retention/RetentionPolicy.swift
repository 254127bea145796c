import Foundation

/// How much of each partition Redis keeps (`BERRYS_RETENTION`); PostgreSQL's archive keeps
/// everything, and the trimmer never removes an entry the archive or a consumer group still
/// needs (`TrimPlan`).
public enum RetentionPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Nothing is trimmed (`all`, the default): Redis holds every event ever published.
    case keepAll
    /// Each partition keeps at least its newest `count` entries (`entries:200000`).
    case entries(Int)
    /// Each partition keeps at least the entries of the last `seconds` (`age:7d`).
    case age(seconds: Int)

    /// Parses `all`, `entries:N` or `age:N[s|m|h|d]`.
    /// - Throws: `EventLogError(.registry)` naming `BERRYS_RETENTION` and the rule it breaks.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed.isEmpty || trimmed == "all" { self = .keepAll; return }
        let parts = trimmed.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw Self.invalid(text) }
        switch parts[0] {
        case "entries":
            guard let count = Int(parts[1]), count >= 1 else { throw Self.invalid(text) }
            self = .entries(count)
        case "age":
            guard let seconds = Self.seconds(parts[1]), seconds >= 1 else { throw Self.invalid(text) }
            self = .age(seconds: seconds)
        default:
            throw Self.invalid(text)
        }
    }

    /// `N` with an optional unit (`s`, `m`, `h`, `d`; seconds without one), nil when malformed.
    private static func seconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let last = text.last, let unit = units[last] else { return Int(text) }
        guard let count = Int(text.dropLast()) else { return nil }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: unit)
        return overflow ? nil : seconds
    }

    private static func invalid(_ text: String) -> EventLogError {
        EventLogError(.registry, field: "BERRYS_RETENTION",
                      "must be all, entries:N (N ≥ 1) or age:N with a unit s, m, h or d (e.g. age:7d); got '\(text)'")
    }

    public var description: String {
        switch self {
        case .keepAll: return "all"
        case .entries(let count): return "entries:\(count)"
        case .age(let seconds):
            if seconds % 86_400 == 0 { return "age:\(seconds / 86_400)d" }
            if seconds % 3600 == 0 { return "age:\(seconds / 3600)h" }
            if seconds % 60 == 0 { return "age:\(seconds / 60)m" }
            return "age:\(seconds)s"
        }
    }
}

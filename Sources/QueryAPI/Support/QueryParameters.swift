import EventLog
import Foundation
import Hummingbird
import JSONSchema

/// Query-string and path parameters, checked: a broken rule is a 400 naming the parameter.
public struct QueryParameters {
    let request: Request
    let context: any RequestContext

    /// The parameters of `request` (query string) and `context` (path).
    public init(_ request: Request, _ context: some RequestContext) {
        self.request = request
        self.context = context
    }

    /// A string parameter of at most `maxLength` characters, or nil when absent.
    public func string(_ name: String, maxLength: Int = 200) throws -> String? {
        guard let value = request.uri.queryParameters[name[...]].map(String.init) else { return nil }
        return try Self.checkedLength(value, name: name, maxLength: maxLength)
    }

    /// `value` when it has at most `maxLength` characters, counted as JSON Schema's `maxLength`
    /// (and so the OpenAPI document) counts them: Unicode code points, not Swift's grapheme
    /// clusters, of which a string of combining marks has far fewer.
    static func checkedLength(_ value: String, name: String, maxLength: Int) throws -> String {
        guard value.unicodeScalars.count <= maxLength else { throw APIError.badParameter(name, "must be at most \(maxLength) characters") }
        return value
    }

    /// A UUID parameter (lowercased), or nil when absent.
    public func uuid(_ name: String) throws -> String? {
        guard let value = try string(name) else { return nil }
        return try Self.checkedUUID(value, name: name)
    }

    /// One of the allowed values.
    public func oneOf(_ name: String, _ allowed: [String]) throws -> String? {
        guard let value = try string(name) else { return nil }
        guard allowed.contains(value) else { throw APIError.badParameter(name, "must be one of \(allowed.joined(separator: ", "))") }
        return value
    }

    /// One of a vocabulary's values, as it spells them (`AgentStatus.self`…).
    public func oneOf<Vocabulary: CaseIterable & RawRepresentable>(_ name: String, _ vocabulary: Vocabulary.Type) throws -> String?
        where Vocabulary.RawValue == String {
        try oneOf(name, vocabulary.allCases.map(\.rawValue))
    }

    /// The id a `cursor` parameter (from a previous page keyed by UUID) points after.
    public func uuidCursor() throws -> String? {
        try string("cursor").map { try Self.checkedUUID(try Page.key(from: $0), name: "cursor") }
    }

    /// `limit`: 1…maximum, default `defaultValue`.
    public func limit(default defaultValue: Int = 50, maximum: Int = 200) throws -> Int {
        guard let text = try string("limit") else { return defaultValue }
        guard let value = Int(text), (1...maximum).contains(value) else {
            throw APIError.badParameter("limit", "must be an integer from 1 to \(maximum)")
        }
        return value
    }

    /// An integer parameter within `range`, nil when absent.
    public func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = try string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.badParameter(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// An RFC 3339 timestamp parameter (`2026-12-05T10:00:00Z`, fractions and offsets allowed), nil when absent.
    public func timestamp(_ name: String) throws -> String? {
        guard let text = try string(name) else { return nil }
        let plain = ISO8601DateFormatter(), fractional = ISO8601DateFormatter()
        fractional.formatOptions.insert(.withFractionalSeconds)
        guard let date = plain.date(from: text) ?? fractional.date(from: text) else {
            throw APIError.badParameter(name, "must be an RFC 3339 timestamp such as 2026-12-05T10:00:00Z")
        }
        // Passed on in UTC: PostgreSQL refuses offsets beyond ±15:59, which RFC 3339 allows
        // (schemathesis sent 0115-03-06T06:30:26.83-21:50 and got a 500).
        return Timestamp.format(date)
    }

    /// The path parameter `name`, which must be a UUID.
    public func pathUUID(_ name: String = "id") throws -> String {
        guard let value = context.parameters.get(name) else { throw APIError.badParameter(name, "is required") }
        return try Self.checkedUUID(value, name: name)
    }

    /// The path parameter `name`, percent-decoded, of at most `maxLength` characters.
    public func path(_ name: String, maxLength: Int = 200) throws -> String {
        guard let value = context.parameters.get(name), !value.isEmpty else { throw APIError.badParameter(name, "is required") }
        return try Self.checkedLength(value.removingPercentEncoding ?? value, name: name, maxLength: maxLength)
    }

    /// The value lowercased, when it is a UUID (8-4-4-4-12 hexadecimal digits, either case: the
    /// schema validator's `uuid` format, which needs no `sscanf` as Foundation's parser does).
    static func checkedUUID(_ value: String, name: String) throws -> String {
        guard StringFormat.uuid.accepts(value) else { throw APIError.badParameter(name, "must be a UUID") }
        return value.lowercased()
    }
}

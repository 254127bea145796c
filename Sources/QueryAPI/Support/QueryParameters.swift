import Foundation
import Hummingbird
import JSONSchema

/// Query-string and path parameters, checked: a broken rule is a 400 naming the parameter.
struct QueryParameters {
    let request: Request
    let context: any RequestContext

    init(_ request: Request, _ context: some RequestContext) {
        self.request = request
        self.context = context
    }

    func string(_ name: String, maxLength: Int = 200) throws -> String? {
        guard let value = request.uri.queryParameters[name[...]].map(String.init) else { return nil }
        guard value.count <= maxLength else { throw APIError.badParameter(name, "must be at most \(maxLength) characters") }
        return value
    }

    /// A UUID parameter (lowercased), or nil when absent.
    func uuid(_ name: String) throws -> String? {
        guard let value = try string(name) else { return nil }
        return try Self.checkedUUID(value, name: name)
    }

    /// One of the allowed values.
    func oneOf(_ name: String, _ allowed: [String]) throws -> String? {
        guard let value = try string(name) else { return nil }
        guard allowed.contains(value) else { throw APIError.badParameter(name, "must be one of \(allowed.joined(separator: ", "))") }
        return value
    }

    /// The id a `cursor` parameter (from a previous page keyed by UUID) points after.
    func uuidCursor() throws -> String? {
        try string("cursor").map { try Self.checkedUUID(try Page.key(from: $0), name: "cursor") }
    }

    /// `limit`: 1…maximum, default `defaultValue`.
    func limit(default defaultValue: Int = 50, maximum: Int = 200) throws -> Int {
        guard let text = try string("limit") else { return defaultValue }
        guard let value = Int(text), (1...maximum).contains(value) else {
            throw APIError.badParameter("limit", "must be an integer from 1 to \(maximum)")
        }
        return value
    }

    /// The path parameter `name`, which must be a UUID.
    func pathUUID(_ name: String = "id") throws -> String {
        guard let value = context.parameters.get(name) else { throw APIError.badParameter(name, "is required") }
        return try Self.checkedUUID(value, name: name)
    }

    func path(_ name: String) throws -> String {
        guard let value = context.parameters.get(name), !value.isEmpty else { throw APIError.badParameter(name, "is required") }
        return value.removingPercentEncoding ?? value
    }

    /// The value lowercased, when it is a UUID (8-4-4-4-12 hexadecimal digits, either case: the
    /// schema validator's `uuid` format, which needs no `sscanf` as Foundation's parser does).
    static func checkedUUID(_ value: String, name: String) throws -> String {
        guard StringFormat.uuid.accepts(value) else { throw APIError.badParameter(name, "must be a UUID") }
        return value.lowercased()
    }
}

import BerrysJSON
import Foundation

/// Keyset pagination: lists are sorted by a unique key; the cursor is the last key of a page,
/// opaque to clients (base64url), so pages never skip or repeat rows while rows are added.
enum Page {
    static func cursor(after key: String) -> String {
        Data(key.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The key a `cursor` parameter holds.
    static func key(from cursor: String) throws -> String {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let key = String(data: data, encoding: .utf8), !key.isEmpty else {
            throw APIError.badParameter("cursor", "is not a cursor this API returned")
        }
        return key
    }

    /// `{"items": [...], "next_cursor": ...}` from `limit + 1` rows fetched (the extra row says a
    /// next page exists); `key` reads a row's sort key, `item` what the page shows of a row.
    static func body(rowsJSON: String, limit: Int, key: (JSON) -> String?, item: (JSON) -> JSON? = { $0 }) throws -> String {
        guard case .array(var rows) = try JSON(parsing: rowsJSON) else { return #"{"items":[],"next_cursor":null}"# }
        var next: JSON = .null
        if rows.count > limit {
            rows.removeLast(rows.count - limit)
            if let last = rows.last.flatMap(key) { next = .string(cursor(after: last)) }
        }
        return JSON.object(["items": .array(rows.compactMap(item)), "next_cursor": next]).serialized
    }
}

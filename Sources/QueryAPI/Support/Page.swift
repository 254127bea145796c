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

    /// `{"items": [...], "next_cursor": ...}` from up to `limit + 1` rows of (item JSON, sort
    /// key): the extra row says a next page exists. The items are PostgreSQL's JSON text, put
    /// in as they are.
    static func body(rows: [(item: String, key: String)], limit: Int) -> String {
        let shown = rows.prefix(limit)
        var body = #"{"items":["#
        body.reserveCapacity(shown.reduce(64) { $0 + $1.item.utf8.count + 1 })
        for (index, row) in shown.enumerated() {
            if index > 0 { body += "," }
            body += row.item
        }
        // A cursor is base64url: nothing in it needs escaping in a JSON string.
        let next = rows.count > limit ? shown.last.map { "\"" + cursor(after: $0.key) + "\"" } : nil
        body += #"],"next_cursor":"# + (next ?? "null") + "}"
        return body
    }
}

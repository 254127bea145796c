import BerrysJSON
@testable import QueryAPI
import Testing

/// Pages and filters are built without parsing rows: checked here without a database.
@Suite struct PageTests {
    @Test func aPageShowsLimitItemsAsTheyAreAndACursorOnlyWhenMoreRowsExist() throws {
        let rows = [(item: #"{"id":"a","n":1.50}"#, key: "a"), (item: #"{"id":"b"}"#, key: "b"), (item: #"{"id":"c"}"#, key: "c")]
        let more = Page.body(rows: rows, limit: 2)
        #expect(more.hasPrefix(#"{"items":[{"id":"a","n":1.50},{"id":"b"}],"next_cursor":""#), "items copied verbatim")
        let parsed = try JSON(parsing: more)
        #expect(try Page.key(from: try #require(parsed["next_cursor"]?.stringValue)) == "b")
        #expect(Page.body(rows: Array(rows.prefix(2)), limit: 2) == #"{"items":[{"id":"a","n":1.50},{"id":"b"}],"next_cursor":null}"#)
        #expect(Page.body(rows: [], limit: 50) == #"{"items":[],"next_cursor":null}"#)
    }

    @Test func filtersNumberTheirParametersAndLeaveOutAbsentValues() {
        var filters = SQLFilters()
        #expect(filters.sql == "TRUE")
        filters.add(Optional<String>.none) { "status = \($0)" }
        filters.add("READY") { "state_detail = \($0)" }
        filters.add("x > 0")
        filters.add(Optional("p")) { "project_id = \($0)::uuid" }
        let limit = filters.bind(51)
        #expect(filters.sql == "state_detail = $1 AND x > 0 AND project_id = $2::uuid")
        #expect(limit == "$3")
        #expect(filters.parameters.map(\.postgresText) == ["READY", "p", "51"])
    }
}

import Foundation
@testable import QueryAPI
import Testing

@Suite struct QueryParametersTests {
    /// The UUID check of path and query parameters accepts exactly what Foundation's parser accepts.
    @Test(arguments: [
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3F2504E0-4F89-11D3-9A0C-0305E82C3301", "00000000-0000-0000-0000-000000000000",
        "3f2504e0-4f89-11d3-9a0c-0305e82c330", "3f2504e0-4f89-11d3-9a0c-0305e82c33011", "3f2504e04f8911d39a0c0305e82c3301",
        "3f2504e0-4f89-11d3-9a0c_0305e82c3301", "3g2504e0-4f89-11d3-9a0c-0305e82c3301", "{3f2504e0-4f89-11d3-9a0c-0305e82c3301}",
        "", "not-a-uuid", "3f2504e0-4f89-11d3-9a0c-0305e82c330é",
    ])
    func uuidCheckAgreesWithFoundation(_ text: String) {
        #expect(((try? QueryParameters.checkedUUID(text, name: "id")) != nil) == (UUID(uuidString: text) != nil), "\(text)")
    }

    /// Lengths count code points, as the OpenAPI document's `maxLength` does: 150 letters with a
    /// combining accent each are 150 Swift characters but 300 code points (schemathesis sent such
    /// a topic, and it was accepted).
    @Test func lengthsCountCodePointsAsJSONSchemaDoes() throws {
        let accented = String(repeating: "e\u{301}", count: 150)
        #expect(accented.count == 150)
        #expect(throws: APIError.self) { try QueryParameters.checkedLength(accented, name: "topic", maxLength: 200) }
        #expect(try QueryParameters.checkedLength(String(repeating: "e\u{301}", count: 100), name: "topic", maxLength: 200).unicodeScalars.count == 200)
    }
}

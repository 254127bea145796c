import BerrysJSON
import Testing

@Suite struct JSONParserTests {
    @Test func parsesAndSerializesAllValueKinds() throws {
        let text = #"{"b":[1,2.5,-3e2,true,false,null],"a":"x\"\\\n\u00e9\ud83c\udf53"}"#
        let value = try JSON(parsing: text)
        #expect(value["a"] == .string("x\"\\\né🍓"))
        #expect(value["b"] == .array([.number(1), .number(2.5), .number(-300), .bool(true), .bool(false), .null]))
        #expect(value.serialized == #"{"a":"x\"\\\né🍓","b":[1,2.5,-300,true,false,null]}"#)
        #expect(try JSON(parsing: value.serialized) == value)
    }

    @Test(arguments: [
        ("{\"a\":1,}", "expected a string key"), ("[1 2]", "expected ',' or ']'"), ("01", "leading zeros"),
        ("\"a\nb\"", "control character"), ("{\"a\" 1}", "expected ':'"), ("tru", "invalid literal"),
        ("\"\\ud800\"", "unpaired high surrogate"), ("1 2", "unexpected text after the value"), ("", "unexpected end"),
    ])
    func refusesInvalidJSONWithAReason(_ text: String, _ reason: String) {
        let error = #expect(throws: JSONParseError.self) { try JSON(parsing: text) }
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error)) should mention \(reason)")
    }

    @Test func reportsLineAndColumn() {
        let error = #expect(throws: JSONParseError.self) { try JSON(parsing: "{\n  \"a\": x\n}") }
        #expect(error?.line == 2)
        #expect(error?.column == 8)
    }

    @Test func limitsNestingDepth() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSON(parsing: deep) }
    }

    @Test func equalityIsByCodePointAndByNumericValue() throws {
        #expect(JSON.string("\u{e9}") != JSON.string("e\u{301}"))
        #expect(try JSON(parsing: "1.0") == JSON(parsing: "1"))
        #expect(JSON.bool(false) != JSON.number(0))
        #expect(try JSON(parsing: #"{"a":1,"b":2}"#) == JSON(parsing: #"{"b":2,"a":1}"#))
    }
}

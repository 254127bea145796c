import BerrysJSON
import Crypto
import DataKeys
import EventLog
import Foundation
import Testing

/// Personal fields sealed per data owner (the crypto core of erasure): where they are, what a
/// sealed field looks like, that it opens only where it was sealed, and reads as erased once
/// its key is gone.
@Suite struct SealingTests {
    static let sealer = FieldSealer(key: SymmetricKey(size: .bits256), keyID: "owner-key-1")

    static let schema = try! JSON(parsing: ##"""
    {"type":"object","$defs":{"note":{"type":"string","x-berrys-personal":true}},
     "properties":{"content":{"type":"string","x-berrys-personal":true},"priority":{"type":"integer"},
                   "routing":{"type":"object","properties":{"note":{"$ref":"#/$defs/note"},"kind":{"type":"string"}}},
                   "tags":{"type":"array","items":{"type":"string","x-berrys-personal":true}},
                   "choice":{"oneOf":[{"type":"object","properties":{"secret":{"type":"string","x-berrys-personal":true}}},{"type":"null"}]}}}
    """##)

    @Test func personalFieldsAreFoundThroughRefsArraysAndCombinators() {
        let fields = PersonalFields(schema: Self.schema)
        #expect(Set(fields.paths) == [["content"], ["routing", "note"], ["tags", "*"], ["choice", "secret"]])
        #expect(PersonalFields.pointer(["routing", "a/b"]) == "/routing/a~1b")
        #expect(PersonalFields(schema: .object(["type": .string("object")])).isEmpty)
    }

    @Test func sealedPayloadsHoldNoPlaintextAndOpenToTheOriginal() throws {
        let data = try JSON(parsing: #"{"content":"Dear Ada, my address is 12 Elm St","priority":2,"routing":{"note":"call me","kind":"direct"},"tags":["Ada","Bob"]}"#)
        let sealed = try PayloadSealing.seal(data, fields: PersonalFields(schema: Self.schema), sealer: Self.sealer, eventID: "e-1")
        let text = sealed.serialized
        for plaintext in ["Ada", "Elm St", "call me", "Bob"] { #expect(!text.contains(plaintext), "\(plaintext) left in \(text)") }
        #expect(sealed["priority"] == .number(2) && sealed["routing"]?["kind"] == .string("direct"))
        #expect(sealed["content"]?.stringValue?.hasPrefix("berrys:sealed:v1:owner-key-1:") == true)
        let opened = try PayloadSealing.open(sealed, eventID: "e-1") { $0 == "owner-key-1" ? Self.sealer : nil }
        #expect(opened.data == data && opened.erased.isEmpty)
    }

    @Test func aSealedFieldOpensOnlyInItsEventAndPlaceWithItsKey() throws {
        let field = try Self.sealer.seal(.string("secret"), eventID: "e-1", pointer: "/content")
        #expect(try Self.sealer.open(field, eventID: "e-1", pointer: "/content") == .string("secret"))
        let other = FieldSealer(key: SymmetricKey(size: .bits256), keyID: "owner-key-1")
        for (sealer, event, pointer) in [(Self.sealer, "e-2", "/content"), (Self.sealer, "e-1", "/description"), (other, "e-1", "/content")] {
            let error = #expect(throws: SealingError.self) { try sealer.open(field, eventID: event, pointer: pointer) }
            #expect(error?.code == .notAuthentic)
        }
        var altered = field
        altered.combined[20] ^= 1
        #expect(throws: SealingError.self) { try Self.sealer.open(altered, eventID: "e-1", pointer: "/content") }
        #expect(try SealedField(parsing: field.text) == field)
    }

    @Test func anErasedOwnersFieldsReadAsNullAndAreListed() throws {
        let data = try JSON(parsing: #"{"content":"hello","tags":["x"],"priority":1}"#)
        let sealed = try PayloadSealing.seal(data, fields: PersonalFields(schema: Self.schema), sealer: Self.sealer, eventID: "e-9")
        let opened = try PayloadSealing.open(sealed, eventID: "e-9") { _ in nil }
        #expect(opened.data == (try JSON(parsing: #"{"content":null,"tags":[null],"priority":1}"#)))
        #expect(Set(opened.erased) == ["/content", "/tags/0"])
    }

    @Test(arguments: [
        ("berrys:sealed:v1:", "a key id, then ':'"),
        ("berrys:sealed:v1:bad key:AAAA", "a key id is 1 to 64"),
        ("berrys:sealed:v1:k:AA==", "not base64url"),
        ("berrys:sealed:v1:k:AAAA", "shorter than a nonce and a tag"),
        ("berrys:sealed:v1:k:" + String(repeating: "A", count: 37) + "B", "not base64url"),
    ]) func malformedSealedTextsAreRefusedSayingWhy(_ text: String, _ reason: String) {
        let error = #expect(throws: SealingError.self) { try SealedField(parsing: text) }
        #expect(error?.code == .malformed)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
    }

    @Test func theMasterKeyWrapsDataKeysAndRefusesAWrongOneClearly() throws {
        let hex = String(repeating: "ab", count: 32)
        let master = try #require(try MasterKey.load(environment: ["BERRYS_MASTER_KEY": hex]))
        let (key, wrapped) = try master.newDataKey()
        #expect(try master.unwrap(wrapped) == key)
        let base64 = Data([UInt8](repeating: 1, count: 32)).base64EncodedString()
        let other = try MasterKey(text: base64 + "\n", source: "test")
        #expect((try? other.unwrap(wrapped)) == nil)
        #expect(throws: SealingError.self) { try other.unwrap(wrapped) }
        let short = #expect(throws: SealingError.self) { try MasterKey.load(environment: ["BERRYS_MASTER_KEY": "abcd"]) }
        #expect(short?.code == .masterKey && short?.message.contains("BERRYS_MASTER_KEY must hold 32 bytes") == true)
        let missing = #expect(throws: SealingError.self) { try MasterKey.load(environment: ["BERRYS_MASTER_KEY_FILE": "/no/such/file"]) }
        #expect(missing?.message.contains("/no/such/file") == true)
        #expect(try MasterKey.load(environment: [:]) == nil)
    }
}

@testable import BerrysFoundation
import Foundation
import Testing

@Suite struct RandomUUIDTests {
    @Test func bitsAreLaidOutWithVersionAndVariant() {
        #expect(RandomUUID.format(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210) == "01234567-89ab-4def-bedc-ba9876543210")
        #expect(RandomUUID.format(high: 0, low: 0) == "00000000-0000-4000-8000-000000000000")
        #expect(RandomUUID.format(high: .max, low: .max) == "ffffffff-ffff-4fff-bfff-ffffffffffff")
    }

    @Test func idsAreDistinctVersion4UUIDs() {
        let ids = (0..<2000).map { _ in RandomUUID.make() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(50) {
            #expect(UUID(uuidString: id)?.uuidString.lowercased() == id)
            let characters = Array(id)
            #expect(characters[14] == "4")
            #expect("89ab".contains(characters[19]))
        }
    }
}

@Suite struct UUIDTextTests {
    @Test func bytesAndHalvesGiveTheSameText() {
        let bytes: [UInt8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10]
        #expect(UUIDText.format(bytes: bytes) == "01234567-89ab-cdef-fedc-ba9876543210")
        #expect(UUIDText.format(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210) == "01234567-89ab-cdef-fedc-ba9876543210")
        #expect(UUIDText.format(bytes: bytes) == UUID(uuid: (0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10)).uuidString.lowercased())
    }
}

@Suite struct FNV1a64Tests {
    /// The reference vectors of the FNV authors' test suite (64-bit FNV-1a).
    @Test func referenceVectors() {
        #expect(FNV1a64.hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1a64.hash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(FNV1a64.hash("foobar") == 0x8594_4171_f739_67e8)
        var digest = FNV1a64()
        digest.add("foo")
        digest.add("bar")
        #expect(digest.value == FNV1a64.hash("foobar"))
        #expect(FNV1a64().hex == "cbf29ce484222325")
    }
}

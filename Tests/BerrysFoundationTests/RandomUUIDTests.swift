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

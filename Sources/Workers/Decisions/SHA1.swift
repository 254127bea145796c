/// SHA-1 (FIPS 180-4), only for name-based UUIDs (RFC 9562 version 5); not for security.
enum SHA1 {
    /// The 20-byte digest of `message`.
    static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
        let bitLength = UInt64(message.count) &* 8
        let blocks = (message.count + 8) / 64 + 1
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            for block in 0..<blocks {
                for i in 0..<16 {
                    var word: UInt32 = 0
                    for j in 0..<4 { word = word << 8 | UInt32(byte(at: block * 64 + i * 4 + j, of: message, blocks: blocks, bitLength: bitLength)) }
                    w[i] = word
                }
                for i in 16..<80 { w[i] = rotate(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1) }
                var (a, b, c, d, e) = h
                for i in 0..<80 {
                    let (f, k): (UInt32, UInt32)
                    switch i {
                    case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
                    case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
                    case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
                    default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
                    }
                    let temp = rotate(a, 5) &+ f &+ e &+ k &+ w[i]
                    (e, d, c, b, a) = (d, c, rotate(b, 30), a, temp)
                }
                h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(20)
        for word in [h.0, h.1, h.2, h.3, h.4] {
            for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) }
        }
        return out
    }

    /// Byte `index` of the padded message: the message, 0x80, zeros, the 64-bit length.
    private static func byte(at index: Int, of message: [UInt8], blocks: Int, bitLength: UInt64) -> UInt8 {
        if index < message.count { return message[index] }
        if index == message.count { return 0x80 }
        let lengthStart = blocks * 64 - 8
        guard index >= lengthStart else { return 0 }
        return UInt8(truncatingIfNeeded: bitLength >> UInt64(8 * (7 - (index - lengthStart))))
    }

    private static func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 { value << count | value >> (32 - count) }
}

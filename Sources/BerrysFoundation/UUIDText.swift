/// The text form of a UUID's 128 bits: 8-4-4-4-12 lowercase hex digits. The one formatter of
/// `RandomUUID` and of name-based ids (`DeterministicID`), written without Foundation (whose
/// `UUID().uuidString` allocates and upper-cases).
public enum UUIDText {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `high` is the first 8 bytes, `low` the last 8, most significant first.
    public static func format(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            func put(_ value: UInt64, nibbles: Int) {
                for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                    buffer[index] = digits[Int((value >> UInt64(shift)) & 0xF)]
                    index += 1
                }
            }
            func dash() { buffer[index] = UInt8(ascii: "-"); index += 1 }
            put(high >> 32, nibbles: 8); dash()
            put((high >> 16) & 0xFFFF, nibbles: 4); dash()
            put(high & 0xFFFF, nibbles: 4); dash()
            put(low >> 48, nibbles: 4); dash()
            put(low & 0xFFFF_FFFF_FFFF, nibbles: 12)
            return index
        }
    }

    /// The text of 16 bytes (more are ignored; fewer are an error of the caller).
    public static func format(bytes: some Collection<UInt8>) -> String {
        precondition(bytes.count >= 16, "a UUID has 16 bytes")
        var high: UInt64 = 0, low: UInt64 = 0
        for (index, byte) in bytes.prefix(16).enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        return format(high: high, low: low)
    }
}

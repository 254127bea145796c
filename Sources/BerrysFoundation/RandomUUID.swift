/// Random (version 4) UUIDs as lowercase text, from the system's random source.
///
/// Foundation's `UUID()` on Linux opens and reads `/dev/urandom` for every id; this asks the
/// kernel for the bytes directly (`getrandom`), which matters for an id per request or event.
public enum RandomUUID {
    /// A new random UUID, e.g. `"3b241101-e2bb-4255-8caf-4136c566a962"`.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return format(high: generator.next(), low: generator.next())
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The UUID text of 128 bits with the version (4) and variant (RFC 4122) bits set.
    static func format(high: UInt64, low: UInt64) -> String {
        let high = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return String(unsafeUninitializedCapacity: 36) { buffer in
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
}

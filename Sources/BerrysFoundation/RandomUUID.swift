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

    /// The UUID text of 128 bits with the version (4) and variant (RFC 4122) bits set.
    static func format(high: UInt64, low: UInt64) -> String {
        UUIDText.format(high: (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000,
                        low: (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000)
    }
}

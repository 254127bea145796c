/// Redis Cluster's key → slot mapping: CRC16 (XMODEM: polynomial 0x1021, initial value 0, no
/// reflection, no final xor) of the key's hash tag, modulo 16384.
///
/// The hash tag is what lies between the first `{` and the first `}` after it, when that is
/// not empty; otherwise the whole key. Every key of a Berrys partition carries the tag `{p}`
/// (`LogKeys.hashTag`), so whatever one command touches lies in one slot.
/// Test vector of the specification: CRC16 of `123456789` is `0x31C3`.
public enum HashSlot {
    /// Slots of a cluster, fixed by Redis.
    public static let count = 16384

    /// The slot of `key`.
    public static func of(_ key: String) -> Int {
        of(Array(key.utf8))
    }

    /// The slot of a key given as bytes.
    public static func of(_ key: [UInt8]) -> Int {
        Int(crc16(hashTag(key)) & 0x3FFF)
    }

    /// The part of `key` that decides its slot.
    public static func hashTag(_ key: [UInt8]) -> ArraySlice<UInt8> {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")),
              let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1 else { return key[...] }
        return key[(open + 1)..<close]
    }

    /// CRC16/XMODEM of `bytes`.
    public static func crc16<Bytes: Collection>(_ bytes: Bytes) -> UInt16 where Bytes.Element == UInt8 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int((crc >> 8) ^ UInt16(byte))]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }
}

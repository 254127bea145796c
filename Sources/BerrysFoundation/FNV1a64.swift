/// The 64-bit FNV-1a hash: a fast digest to name prepared statements and notice changed files.
/// Not for security (anyone can make a collision), only for telling texts apart.
public struct FNV1a64: Sendable, Hashable {
    /// The digest of what was added so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// An empty digest (the offset basis).
    public init() {}

    /// Adds the UTF-8 bytes of `text`.
    public mutating func add(_ text: String) {
        for byte in text.utf8 { add(byte: byte) }
    }

    /// Adds one byte.
    public mutating func add(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* Self.prime
    }

    /// The digest of `text`'s UTF-8 bytes.
    public static func hash(_ text: String) -> UInt64 {
        var digest = FNV1a64()
        digest.add(text)
        return digest.value
    }

    /// The digest as 16 lowercase hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

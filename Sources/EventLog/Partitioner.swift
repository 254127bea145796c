/// Maps partition keys to partitions: FNV-1a 32-bit over the key's UTF-8 bytes, mod the count.
///
/// Producers in any language compute the same: offset basis 2166136261, prime 16777619,
/// for each byte `hash = (hash XOR byte) * prime mod 2^32`; partition = `hash % partitions`.
/// Test vectors: `fnv1a32("")` = 2166136261, `fnv1a32("a")` = 3826002220 (0xe40c292c),
/// `fnv1a32("foobar")` = 3214735720 (0xbf9cf968).
public struct Partitioner: Sendable, Hashable {
    /// How many partitions the log has.
    public let partitions: Int

    public init(partitions: Int) {
        precondition(partitions > 0, "a log has at least one partition")
        self.partitions = partitions
    }

    /// The partition that owns `key`.
    public func partition(for key: String) -> Int {
        Int(Self.fnv1a32(key) % UInt32(partitions))
    }

    /// FNV-1a, 32 bit.
    public static func fnv1a32(_ key: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in key.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }
}

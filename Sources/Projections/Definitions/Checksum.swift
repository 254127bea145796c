import BerrysFoundation

/// A 64-bit FNV-1a digest of several texts, in hex: enough to notice that a projection's files changed.
enum Checksum {
    static func fnv1a64(_ parts: [String]) -> String {
        var digest = FNV1a64()
        for part in parts {
            digest.add(part)
            digest.add(byte: 0xff)  // separator, so ["ab", "c"] and ["a", "bc"] differ
        }
        return digest.hex
    }
}

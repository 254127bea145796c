import Foundation

/// The text a personal field is replaced with once sealed:
///
///     berrys:sealed:v1:<key id>:<base64url of nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)>
///
/// The key id names the data owner's key (not the owner); the ciphertext is the field's JSON
/// text, sealed with AES-256-GCM whose associated data binds the event id and the field's
/// pointer, so a sealed value cannot be moved to another event or field.
public struct SealedField: Sendable, Hashable {
    public static let prefix = "berrys:sealed:v1:"

    /// The id of the key that sealed it.
    public var keyID: String
    /// Nonce ‖ ciphertext ‖ tag.
    public var combined: [UInt8]

    public init(keyID: String, combined: [UInt8]) {
        self.keyID = keyID
        self.combined = combined
    }

    /// The text form.
    public var text: String { Self.prefix + keyID + ":" + Self.base64URL(combined) }

    /// True when `text` looks sealed (starts with the prefix), whether or not it parses.
    public static func looksSealed(_ text: String) -> Bool { text.hasPrefix(prefix) }

    /// Parses the text form.
    /// - Throws: `SealingError.malformed` saying which part is wrong.
    public init(parsing text: String) throws {
        guard text.hasPrefix(Self.prefix) else { throw SealingError(.malformed, "a sealed field starts with \(Self.prefix)") }
        let rest = text.dropFirst(Self.prefix.count)
        guard let colon = rest.firstIndex(of: ":") else { throw SealingError(.malformed, "a sealed field has a key id, then ':' and the sealed bytes") }
        let keyID = String(rest[..<colon])
        guard Self.isKeyID(keyID) else { throw SealingError(.malformed, "a key id is 1 to 64 of [A-Za-z0-9_-]") }
        guard let combined = Self.bytes(base64URL: rest[rest.index(after: colon)...]) else {
            throw SealingError(.malformed, "the sealed bytes are not base64url")
        }
        guard combined.count >= 12 + 16 else { throw SealingError(.malformed, "the sealed bytes are shorter than a nonce and a tag (28 bytes)") }
        self.init(keyID: keyID, combined: combined)
    }

    /// 1 to 64 of `[A-Za-z0-9_-]`.
    public static func isKeyID(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func bytes(base64URL text: Substring) -> [UInt8]? {
        guard text.utf8.allSatisfy({ byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }), text.utf8.count % 4 != 1 else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: standard) else { return nil }
        // Only the canonical text: the same bytes must give back the same text.
        guard base64URL(Array(data)) == text else { return nil }
        return Array(data)
    }
}

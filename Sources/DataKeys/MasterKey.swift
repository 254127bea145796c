import Crypto
import EventLog
import Foundation

/// The key-encryption key that wraps every data owner's key (AES key wrap, RFC 3394), read
/// from `BERRYS_MASTER_KEY_FILE` or `BERRYS_MASTER_KEY`: 32 bytes as 64 hex digits or base64.
///
/// Keep it, and the keys table it wraps, out of the log's backups: whoever has both can read
/// erased data from an old backup.
public struct MasterKey: Sendable {
    let key: SymmetricKey

    public init(key: SymmetricKey) {
        self.key = key
    }

    /// Reads the key from text (64 hex digits, or base64 of 32 bytes; surrounding space ignored).
    /// - Throws: `SealingError.masterKey` naming `source` and the rule.
    public init(text: String, source: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes: [UInt8]?
        if trimmed.utf8.count == 64, trimmed.allSatisfy(\.isHexDigit) {
            bytes = stride(from: 0, to: 64, by: 2).map { offset in
                let start = trimmed.index(trimmed.startIndex, offsetBy: offset)
                return UInt8(trimmed[start..<trimmed.index(start, offsetBy: 2)], radix: 16)!
            }
        } else if let data = Data(base64Encoded: trimmed) {
            bytes = Array(data)
        }
        guard let bytes, bytes.count == 32 else {
            throw SealingError(.masterKey, "\(source) must hold 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -hex 32`)")
        }
        key = SymmetricKey(data: bytes)
    }

    /// The master key of the environment: `BERRYS_MASTER_KEY_FILE` (a file), else
    /// `BERRYS_MASTER_KEY`; nil when neither is set (erasure off).
    /// - Throws: `SealingError.masterKey` when one is set but unreadable or malformed.
    public static func load(environment: [String: String]) throws -> MasterKey? {
        if let path = environment["BERRYS_MASTER_KEY_FILE"], !path.isEmpty {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw SealingError(.masterKey, "BERRYS_MASTER_KEY_FILE: cannot read \(path)")
            }
            return try MasterKey(text: text, source: "BERRYS_MASTER_KEY_FILE (\(path))")
        }
        if let text = environment["BERRYS_MASTER_KEY"], !text.isEmpty {
            return try MasterKey(text: text, source: "BERRYS_MASTER_KEY")
        }
        return nil
    }

    /// A new random data key, wrapped for storage.
    public func newDataKey() throws -> (key: SymmetricKey, wrapped: [UInt8]) {
        let key = SymmetricKey(size: .bits256)
        return (key, try wrap(key))
    }

    /// `key` wrapped with the master key.
    public func wrap(_ key: SymmetricKey) throws -> [UInt8] {
        Array(try AES.KeyWrap.wrap(key, using: self.key))
    }

    /// A data key unwrapped.
    /// - Throws: `SealingError.masterKey` when this master key did not wrap it (the wrong
    ///   master key at start: nothing can be read or written).
    public func unwrap(_ wrapped: [UInt8]) throws -> SymmetricKey {
        do {
            return try AES.KeyWrap.unwrap(wrapped, using: key)
        } catch {
            throw SealingError(.masterKey, "a stored data key does not unwrap with this master key: is BERRYS_MASTER_KEY(_FILE) the one the keys were made with?")
        }
    }
}

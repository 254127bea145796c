import BerrysFoundation

/// Name-based UUIDs (RFC 9562 version 5): the same name always gives the same id, so an event
/// a worker emits again after a redelivery carries the id it had the first time and the log's
/// de-duplication drops it.
public enum DeterministicID {
    /// The namespace of every id Berrys derives (a fixed, random version 4 UUID).
    public static let berrysNamespace: [UInt8] = [
        0x6f, 0x2c, 0x1e, 0x8a, 0x3b, 0x57, 0x4d, 0x61, 0x9c, 0x0e, 0x27, 0xd4, 0x5a, 0x83, 0xb1, 0x9f,
    ]

    /// The version 5 UUID of `name` in `namespace`, lowercase.
    public static func uuid(_ name: String, namespace: [UInt8] = berrysNamespace) -> String {
        var bytes = Array(SHA1.digest(namespace + Array(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUIDText.format(bytes: bytes)
    }

    /// The id of the `index`-th event a worker emits for a causing event.
    public static func emittedEventID(worker: String, causingEventID: String, index: Int) -> String {
        uuid("berrys/worker/\(worker)/\(causingEventID)/\(index)")
    }
}

import BerrysJSON
import Crypto
import EventLog

extension FuzzTarget {
    /// A fixed key, so that seeds sealed with it open (and mutations of them must not).
    static let fuzzSealer = FieldSealer(key: SymmetricKey(data: [UInt8](repeating: 7, count: 32)), keyID: "fuzz-key")

    static func sealed(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let field = try? SealedField(parsing: text) {
            precondition(field.text == text, "an accepted sealed field prints back differently: \(text.prefix(200))")
            _ = try? fuzzSealer.open(field, eventID: "e-1", pointer: "/content")
        }
        // As a payload: its sealed strings are opened, or refused with an error.
        if let payload = try? JSON(parsing: bytes) {
            _ = try? PayloadSealing.open(payload, eventID: "e-1") { id in id == fuzzSealer.keyID ? fuzzSealer : nil }
        }
    }

    /// Seeds: fields sealed with the fuzz key, their JSON payloads, and broken variants.
    static func sealedSeeds() -> [[UInt8]] {
        var seeds: [[UInt8]] = []
        let values: [JSON] = [.string("hello"), .string(""), .number(42), .null, .array([.string("a")]), .object(["k": .string("v")]),
                              .string(String(repeating: "x", count: 300)), .string("é😀")]
        for (index, value) in values.enumerated() {
            guard let field = try? fuzzSealer.seal(value, eventID: "e-1", pointer: "/content") else { continue }
            let text = field.text
            seeds.append(Array(text.utf8))
            seeds.append(Array(JSON.object(["content": .string(text), "n": .number(Double(index))]).serialized.utf8))
            seeds.append(Array(text.dropLast(2).utf8))
            seeds.append(Array(text.replacingOccurrences(of: "fuzz-key", with: "other").utf8))
        }
        seeds += ["berrys:sealed:v1:", "berrys:sealed:v1:k:", "berrys:sealed:v1::AAAA", "berrys:sealed:v1:k:AAAA=",
                  "berrys:sealed:v1:bad key:AAAA", #"["berrys:sealed:v1:k:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]"#].map { Array($0.utf8) }
        return seeds
    }
}

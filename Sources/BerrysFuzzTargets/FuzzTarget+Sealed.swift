import BerrysJSON
import EventLog

extension FuzzTarget {
    /// A stand-in sealer with the real format's layout (nonce ‖ body ‖ 16-byte tag) and a
    /// checksum for a tag: the target fuzzes the decoder and the opening path, not AES-GCM
    /// (swift-crypto's, with its own tests), and so needs no crypto library in the fuzz build.
    struct ChecksumSealer: FieldSealing {
        let keyID = "fuzz-key"

        func tag(_ body: [UInt8], _ eventID: String, _ pointer: String) -> [UInt8] {
            let hash = (Array(eventID.utf8) + [0] + Array(pointer.utf8) + [0] + body)
                .reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
            return (0..<16).map { UInt8(truncatingIfNeeded: hash >> (($0 % 8) * 8)) }
        }

        func seal(_ value: JSON, eventID: String, pointer: String) throws -> SealedField {
            let body = Array(value.serialized.utf8)
            return SealedField(keyID: keyID, combined: [UInt8](repeating: 0, count: 12) + body + tag(body, eventID, pointer))
        }

        func open(_ sealed: SealedField, eventID: String, pointer: String) throws -> JSON {
            let body = Array(sealed.combined.dropFirst(12).dropLast(16))
            guard sealed.combined.count >= 28, Array(sealed.combined.suffix(16)) == tag(body, eventID, pointer),
                  let value = try? JSON(parsing: body) else {
                throw SealingError(.notAuthentic, "the sealed field at \(pointer) does not open")
            }
            return value
        }
    }

    static let fuzzSealer = ChecksumSealer()

    static func sealed(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let field = try? SealedField(parsing: text) {
            precondition(field.text == text, "an accepted sealed field prints back differently: \(text.prefix(200))")
            if let value = try? fuzzSealer.open(field, eventID: "e-1", pointer: "/content") {
                let again = try? fuzzSealer.seal(value, eventID: "e-1", pointer: "/content")
                precondition((try? again.map { try fuzzSealer.open($0, eventID: "e-1", pointer: "/content") }) == value,
                             "a field that opened does not open the same after sealing it again")
            }
        }
        // As a payload: its sealed strings are opened, or refused with an error.
        if let payload = try? JSON(parsing: bytes) {
            _ = try? PayloadSealing.open(payload, eventID: "e-1") { id in id == fuzzSealer.keyID ? fuzzSealer : nil }
        }
    }

    /// Seeds: fields sealed with the stand-in sealer, their JSON payloads, and broken variants.
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

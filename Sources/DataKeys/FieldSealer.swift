import BerrysJSON
import Crypto
import EventLog
import Foundation

/// Seals and opens one personal field with its data owner's key: AES-256-GCM over the field's
/// JSON text, with the event id and the field's pointer as associated data.
public struct FieldSealer: FieldSealing {
    /// The owner's data key and its id.
    public let key: SymmetricKey
    public let keyID: String

    public init(key: SymmetricKey, keyID: String) {
        self.key = key
        self.keyID = keyID
    }

    /// The associated data: what a sealed value is bound to.
    static func associatedData(eventID: String, pointer: String) -> Data {
        Data("berrys-sealed-v1\n\(eventID)\n\(pointer)".utf8)
    }

    /// Seals `value`, the field at `pointer` of event `eventID`.
    public func seal(_ value: JSON, eventID: String, pointer: String) throws -> SealedField {
        let box = try AES.GCM.seal(Data(value.serialized.utf8), using: key,
                                   authenticating: Self.associatedData(eventID: eventID, pointer: pointer))
        guard let combined = box.combined else { throw SealingError(.malformed, "AES-GCM gave no combined form") }
        return SealedField(keyID: keyID, combined: Array(combined))
    }

    /// Opens a field sealed by `seal` with the same key, event id and pointer.
    /// - Throws: `SealingError.notAuthentic` for any other key, event, pointer or altered byte.
    public func open(_ sealed: SealedField, eventID: String, pointer: String) throws -> JSON {
        do {
            let box = try AES.GCM.SealedBox(combined: Data(sealed.combined))
            let plain = try AES.GCM.open(box, using: key, authenticating: Self.associatedData(eventID: eventID, pointer: pointer))
            return try JSON(parsing: Array(plain))
        } catch {
            throw SealingError(.notAuthentic, "the sealed field at \(pointer) of event \(eventID) does not open with key \(keyID)")
        }
    }
}

import BerrysJSON

/// What seals and opens one personal field with one data owner's key. The log needs only this;
/// the AES-256-GCM implementation is `FieldSealer` in `DataKeys`, so the event log itself does
/// not link a crypto library.
public protocol FieldSealing: Sendable {
    /// The id of the key, written into every field it seals.
    var keyID: String { get }
    /// Seals `value`, the field at `pointer` of event `eventID`.
    func seal(_ value: JSON, eventID: String, pointer: String) throws -> SealedField
    /// Opens a field sealed by `seal` with the same key, event id and pointer.
    /// - Throws: `SealingError.notAuthentic` for any other key, event, pointer or altered byte.
    func open(_ sealed: SealedField, eventID: String, pointer: String) throws -> JSON
}

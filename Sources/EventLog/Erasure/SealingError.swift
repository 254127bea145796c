/// Why a field could not be sealed or opened.
public struct SealingError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The sealed text does not parse.
        case malformed = "BERRYS_SEALED_MALFORMED"
        /// The key does not open it: another key, another event or field, or altered bytes.
        case notAuthentic = "BERRYS_SEALED_NOT_AUTHENTIC"
        /// The master key is missing or not 32 bytes.
        case masterKey = "BERRYS_MASTER_KEY"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

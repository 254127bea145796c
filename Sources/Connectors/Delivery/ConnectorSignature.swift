import Crypto
import Foundation

/// The signature of a webhook delivery: `Berrys-Signature: t=<unix seconds>,v1=<hex>`, where
/// the hex is HMAC-SHA256 with the connector's secret over `<t>.<body>` (the body's exact bytes).
///
/// A receiver recomputes it over the raw body, compares in constant time, and refuses a `t`
/// too far from its clock (replays); `connectors/README.md` shows the check.
public enum ConnectorSignature {
    public static let headerName = "Berrys-Signature"

    /// The header value for `body` signed at `timestamp` (unix seconds).
    public static func header(body: [UInt8], secret: String, timestamp: Int) -> String {
        "t=\(timestamp),v1=\(hex(mac(body: body, secret: secret, timestamp: timestamp)))"
    }

    /// Whether `header` is a valid signature of `body` made within `tolerance` seconds of `now`.
    public static func verify(header: String, body: [UInt8], secret: String, now: Int, tolerance: Int = 300) -> Bool {
        var timestamp: Int?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int(pair[1]) }
            if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, abs(now - timestamp) <= tolerance else { return false }
        let expected = hex(mac(body: body, secret: secret, timestamp: timestamp))
        return signatures.contains { constantTimeEqual($0, expected) }
    }

    private static func mac(body: [UInt8], secret: String, timestamp: Int) -> [UInt8] {
        var message = Array("\(timestamp).".utf8)
        message += body
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8))))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]] }
        return String(decoding: out, as: UTF8.self)
    }

    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

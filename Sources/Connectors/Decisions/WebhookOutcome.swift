import Foundation

/// How one webhook delivery ended, as a pure decision on the receiver's answer: what the
/// connector then does (acknowledge, retry with backoff, dead-letter) and whether it counts
/// against the endpoint's `CircuitBreaker`.
///
/// - 2xx: delivered.
/// - 5xx, 408, timeouts and connection errors: transient (retried with backoff, counted by the breaker).
/// - 429: transient, after `Retry-After` when the receiver gives one (seconds or an HTTP date).
/// - other 4xx (and anything else): permanent; the event is dead-lettered with the status and
///   the start of the body. The receiver is up, so the breaker does not count it.
public enum WebhookOutcome: Sendable, Equatable {
    case delivered
    case transient(reason: String, retryAfter: Duration?)
    case permanent(reason: String)

    /// The most of a refusing receiver's body kept in the dead letter.
    public static let bodyPrefixLength = 200

    /// The outcome of an answer with `status`, its `Retry-After` header and body.
    public static func of(status: Int, retryAfter: String?, body: [UInt8], now: Date = Date()) -> WebhookOutcome {
        let start = String(decoding: body.prefix(bodyPrefixLength), as: UTF8.self)
        switch status {
        case 200..<300:
            return .delivered
        case 429:
            return .transient(reason: "HTTP 429 (too many requests)", retryAfter: retryAfter.flatMap { delay(retryAfter: $0, now: now) })
        case 408, 500..<600:
            return .transient(reason: "HTTP \(status)" + (start.isEmpty ? "" : ": \(start)"), retryAfter: nil)
        default:
            return .permanent(reason: "HTTP \(status)" + (start.isEmpty ? "" : ": \(start)"))
        }
    }

    /// A delivery that got no answer (timeout, refused or reset connection): transient.
    public static func noAnswer(_ description: String) -> WebhookOutcome {
        .transient(reason: description, retryAfter: nil)
    }

    /// Whether the outcome counts as a failure of the endpoint (for its breaker).
    public var countsAgainstEndpoint: Bool {
        if case .transient = self { return true }
        return false
    }

    /// `Retry-After` as a delay: delta-seconds, or an HTTP date (RFC 9110) from `now`; never negative.
    static func delay(retryAfter text: String, now: Date) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return .milliseconds(Int(max(0, date.timeIntervalSince(now)) * 1000))
    }
}

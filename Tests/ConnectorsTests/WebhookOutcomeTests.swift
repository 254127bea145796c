import Connectors
import Foundation
import Testing

/// How a receiver's answer decides a webhook delivery's fate.
@Suite struct WebhookOutcomeTests {
    @Test func successesServerErrorsAndRefusals() {
        #expect(WebhookOutcome.of(status: 204, retryAfter: nil, body: []) == .delivered)
        #expect(WebhookOutcome.of(status: 503, retryAfter: nil, body: Array("down".utf8)) == .transient(reason: "HTTP 503: down", retryAfter: nil))
        #expect(WebhookOutcome.of(status: 408, retryAfter: nil, body: []).countsAgainstEndpoint)
        let refused = WebhookOutcome.of(status: 400, retryAfter: nil, body: Array(String(repeating: "x", count: 500).utf8))
        #expect(refused == .permanent(reason: "HTTP 400: " + String(repeating: "x", count: 200)), "the status and the start of the body")
        #expect(!refused.countsAgainstEndpoint, "a refused event says nothing about the endpoint's health")
        #expect(WebhookOutcome.noAnswer("connection refused").countsAgainstEndpoint)
    }

    @Test func tooManyRequestsHonoursRetryAfterInSecondsOrAsADate() {
        let now = Date(timeIntervalSince1970: 1_796_482_400)
        #expect(WebhookOutcome.of(status: 429, retryAfter: "7", body: [], now: now)
                == .transient(reason: "HTTP 429 (too many requests)", retryAfter: .seconds(7)))
        let date = "Sat, 05 Dec 2026 14:53:40 GMT"  // 20 s after `now`
        #expect(WebhookOutcome.of(status: 429, retryAfter: date, body: [], now: now)
                == .transient(reason: "HTTP 429 (too many requests)", retryAfter: .seconds(20)))
        #expect(WebhookOutcome.of(status: 429, retryAfter: "soon", body: [], now: now)
                == .transient(reason: "HTTP 429 (too many requests)", retryAfter: nil))
        #expect(WebhookOutcome.of(status: 429, retryAfter: "Sat, 05 Dec 2026 14:00:00 GMT", body: [], now: now)
                == .transient(reason: "HTTP 429 (too many requests)", retryAfter: .zero), "a date already past: at once")
    }
}

import HTTPTypes
import Hummingbird

/// What a bearer token allows; each scope allows what the ones before it do.
public enum TokenScope: String, Sendable, Comparable {
    /// Every GET (and the live stream).
    case read
    /// And publishing.
    case publish
    /// And acting on dead letters (retry, drop).
    case admin

    private var rank: Int {
        switch self {
        case .read: return 0
        case .publish: return 1
        case .admin: return 2
        }
    }

    public static func < (lhs: TokenScope, rhs: TokenScope) -> Bool { lhs.rank < rhs.rank }
}

/// API tokens from `BERRYS_API_TOKENS` (`read:TOKEN1,publish:TOKEN2,admin:TOKEN3`): reads need
/// any token, publishing a publish or admin token, dead-letter actions an admin token; health
/// endpoints, the OpenAPI document and the console's files stay open. Tokens are compared in
/// constant time.
public struct APITokens: Sendable {
    let tokens: [(scope: TokenScope, value: [UInt8])]

    /// Parses `scope:token` pairs separated by commas.
    /// - Throws: a message naming the bad entry.
    public init(parsing text: String) throws {
        tokens = try text.split(separator: ",").map { entry in
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let scope = TokenScope(rawValue: parts[0]), !parts[1].isEmpty else {
                throw APITokensError(entry: String(entry))
            }
            return (scope, Array(parts[1].utf8))
        }
    }

    /// The scope of a presented token, or nil when it matches none.
    func scope(of presented: String) -> TokenScope? {
        let bytes = Array(presented.utf8)
        var found: TokenScope?
        for token in tokens where Self.constantTimeEqual(token.value, bytes) {
            found = max(found ?? token.scope, token.scope)
        }
        return found
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}

/// A malformed `BERRYS_API_TOKENS` entry.
public struct APITokensError: Error, CustomStringConvertible {
    /// The malformed entry.
    public let entry: String
    public var description: String { "BERRYS_API_TOKENS: entry '\(entry)' must be read:TOKEN, publish:TOKEN or admin:TOKEN" }
}

struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: APITokens

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/health/") || path == "/openapi.json" || path == "/console" || path.hasPrefix("/console/") {
            return try await next(request, context)
        }
        let needed = Self.scope(needed: request.method, path: path)
        guard let presented = Self.presentedToken(request) else {
            var error = APIError(.unauthorized, code: "unauthorized", "send Authorization: Bearer <token>")
            error.headers[.wwwAuthenticate] = "Bearer"
            throw error
        }
        guard let scope = tokens.scope(of: presented) else {
            throw APIError(.unauthorized, code: "unauthorized", "unknown token")
        }
        guard scope >= needed else {
            throw APIError(.forbidden, code: "forbidden", "this \(scope.rawValue) token may not do this; it needs a \(needed.rawValue) token")
        }
        return try await next(request, context)
    }

    /// Dead-letter actions need admin, other POSTs and DELETEs (cancelling a held event) publish,
    /// the rest read.
    static func scope(needed method: HTTPRequest.Method, path: String) -> TokenScope {
        guard method == .post || method == .delete else { return .read }
        return path.hasPrefix("/v1/dlq/") ? .admin : .publish
    }

    /// The bearer token, or for the live stream (which a browser's `EventSource` opens without
    /// headers) the `access_token` query parameter.
    static func presentedToken(_ request: Request) -> String? {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") { return String(header.dropFirst("Bearer ".count)) }
        guard request.uri.path == "/v1/stream" else { return nil }
        return request.uri.queryParameters["access_token"].map(String.init)
    }
}

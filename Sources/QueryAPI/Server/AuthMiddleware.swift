import HTTPTypes
import Hummingbird

/// What a bearer token allows.
public enum TokenScope: String, Sendable {
    case read, publish
}

/// API tokens from `BERRYS_API_TOKENS` (`read:TOKEN1,publish:TOKEN2`): reads need a read or
/// publish token, publishing needs a publish token; health endpoints stay open. Tokens are
/// compared in constant time.
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
            found = found == .publish ? .publish : token.scope
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
    public var description: String { "BERRYS_API_TOKENS: entry '\(entry)' must be read:TOKEN or publish:TOKEN" }
}

struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: APITokens

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/health/") || path == "/openapi.json" { return try await next(request, context) }
        let needed: TokenScope = request.method == .post ? .publish : .read
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            var error = APIError(.unauthorized, code: "unauthorized", "send Authorization: Bearer <token>")
            error.headers[.wwwAuthenticate] = "Bearer"
            throw error
        }
        guard let scope = tokens.scope(of: String(header.dropFirst("Bearer ".count))) else {
            throw APIError(.unauthorized, code: "unauthorized", "unknown token")
        }
        if needed == .publish && scope != .publish {
            throw APIError(.forbidden, code: "forbidden", "this token may only read; publishing needs a publish token")
        }
        return try await next(request, context)
    }
}

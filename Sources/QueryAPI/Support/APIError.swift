import BerrysJSON
import EventLog
import HTTPTypes
import Hummingbird
import PostgresClient
import RedisClient

/// An error answered as `{"error": {"code", "message", "details"}}` with its HTTP status.
public struct APIError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// A stable, machine-readable code, e.g. `bad_parameter`.
    public let code: String
    /// What went wrong, for a person.
    public let message: String
    /// Structured details: the parameter, attribute or JSON Pointer paths concerned.
    public var details: [JSON]
    /// Extra response headers (e.g. `WWW-Authenticate`).
    public var headers: HTTPFields = [:]

    /// An error answered with `status`.
    public init(_ status: HTTPResponse.Status, code: String, _ message: String, details: [JSON] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// 400: a query or path parameter breaks a rule; names the parameter.
    public static func badParameter(_ name: String, _ rule: String) -> APIError {
        APIError(.badRequest, code: "bad_parameter", "\(name): \(rule)", details: [.object(["parameter": .string(name), "rule": .string(rule)])])
    }

    /// 404: `what` (e.g. `agent <id>`) does not exist.
    public static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", "\(what) not found")
    }

    /// The JSON body.
    var body: JSON {
        .object(["error": .object(["code": .string(code), "message": .string(message), "details": .array(details)])])
    }

    /// The error as a response.
    func response() -> Response {
        var response = JSONResponse.make(body.serialized, status: status)
        for field in headers { response.headers.append(field) }
        return response
    }

    /// Maps any error to what the client should see: no stack traces, 503 when a dependency is down.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as EventLogError:
            return from(eventLogError: error)
        case let error as PostgresError where error.sqlState == "57014":
            // statement_timeout (the request's deadline) or a cancelled query.
            return RequestDeadline.current?.error ?? APIError(.serviceUnavailable, code: "request_timeout", "the query was cancelled (timeout)")
        case let error as PostgresError where error.sqlState == "42P01" || error.sqlState == "3F000":
            // A `read.*` view (or the schema) that does not exist yet: no projector has made a
            // version live since the database was created (`berrys run` answers before its first build).
            var notReady = APIError(.serviceUnavailable, code: "not_ready",
                                    "the read models are not built yet (no live projection version); try again once GET /health/readiness answers 200")
            notReady.headers[.retryAfter] = "1"
            return notReady
        case let error as PostgresError where error.isTransient:
            return APIError(.serviceUnavailable, code: "unavailable",
                            error.isConnectionFailure ? "PostgreSQL is unreachable; try again" : "PostgreSQL is busy (\(error.sqlState ?? "")); try again")
        case let error as RedisError where error.isTransient:
            return APIError(.serviceUnavailable, code: "unavailable", "Redis is unreachable; try again")
        case let error as HTTPError:
            switch error.status {
            case .notFound: return APIError(.notFound, code: "not_found", "no such route")
            case .contentTooLarge: return APIError(.contentTooLarge, code: "too_large", "the request body is over the limit")
            case .methodNotAllowed: return APIError(.methodNotAllowed, code: "method_not_allowed", "method not allowed on this route")
            default: return APIError(error.status, code: "http_error", error.body ?? error.status.reasonPhrase)
            }
        default:
            return APIError(.internalServerError, code: "internal", "internal error; see the server log")
        }
    }

    static func from(eventLogError error: EventLogError) -> APIError {
        var field: [String: JSON] = error.field.map { ["attribute": .string($0)] } ?? [:]
        if let index = error.index { field["index"] = .number(Double(index)) }
        var apiError = plain(error, field: field)
        if let index = error.index, apiError.details.isEmpty { apiError.details = [.object(["index": .number(Double(index))])] }
        return apiError
    }

    private static func plain(_ error: EventLogError, field: [String: JSON]) -> APIError {
        switch error.code {
        case .invalidEnvelope, .corruptEntry, .unknownType, .unknownVersion:
            return APIError(.badRequest, code: "invalid_envelope", error.message, details: [.object(field)])
        case .schemaViolation:
            return APIError(.unprocessableContent, code: "schema_violation", error.message,
                            details: error.details.map { .object(["error": .string($0)]) })
        case .payloadTooLarge:
            return APIError(.contentTooLarge, code: "too_large", error.message, details: [.object(field)])
        case .conflict:
            return APIError(.conflict, code: "sequence_conflict", error.message)
        case .unavailable:
            return APIError(.serviceUnavailable, code: "unavailable", error.message)
        case .notReplicated:
            return APIError(.serviceUnavailable, code: "not_replicated", error.message)
        case .registry:
            return APIError(.internalServerError, code: "registry", error.message)
        case .trimmed:
            return APIError(.gone, code: "trimmed", error.message)
        case .crossPartition:
            return APIError(.badRequest, code: "cross_partition", error.message,
                            details: error.details.map { .object(["partition": .string($0)]) })
        case .partialDuplicate:
            return APIError(.conflict, code: "partial_duplicate", error.message, details: [.object(field)])
        }
    }
}

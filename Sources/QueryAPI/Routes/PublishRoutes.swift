import BerrysJSON
import EventLog
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /v1/events`: the CloudEvents HTTP binding (structured, batch and binary modes).
/// Nothing invalid reaches the log: every event is validated before any is appended.
struct PublishRoutes {
    let dependencies: APIDependencies
    var log: EventLog { dependencies.log }
    static var expectedHeader: HTTPField.Name { HTTPField.Name("Berrys-Expected-Sequence")! }
    static var deliverAtHeader: HTTPField.Name { HTTPField.Name("Berrys-Deliver-At")! }
    static var atomicHeader: HTTPField.Name { HTTPField.Name("Berrys-Atomic")! }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/events") { request, context in
            var request = request
            let mediaType = (request.headers[.contentType] ?? "").split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            } ?? ""
            let expected = try expectedSequence(request)
            let atomic = try self.atomic(request)
            let deliverAt = try self.deliverAt(request)
            let trace = Self.traceHeaders(request)
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: dependencies.settings.maximumBodyBytes)
            } catch {
                throw APIError(.contentTooLarge, code: "too_large", "the request body is over \(dependencies.settings.maximumBodyBytes) bytes")
            }
            // Decoding lossily would store U+FFFD in place of what was sent.
            guard let text = String(validating: body.readableBytesView, as: UTF8.self) else {
                throw APIError(.badRequest, code: "invalid_json",
                               "the body is not JSON: it is not valid UTF-8 (byte \(Self.firstInvalidUTF8(body.readableBytesView)) is not)")
            }
            switch mediaType {
            case "application/cloudevents+json":
                return try await publishOne(Self.traced(try CloudEventsHTTP.structured(text), trace), expected: expected, deliverAt: deliverAt)
            case "application/cloudevents-batch+json":
                guard deliverAt == nil else {
                    throw APIError(.badRequest, code: "bad_header", "Berrys-Deliver-At applies to one event, not to a batch")
                }
                return try await publishBatch(try CloudEventsHTTP.batch(text).map { Self.traced($0, trace) }, expected: expected, atomic: atomic)
            // Binary mode. No Content-Type at all is JSON too: the CloudEvents JSON format reads an
            // absent datacontenttype as JSON, and the official Python SDK's to_binary() sends none
            // for an event without one.
            case "application/json" where request.headers[HTTPField.Name("ce-specversion")!] != nil,
                 "" where request.headers[HTTPField.Name("ce-specversion")!] != nil:
                return try await publishOne(Self.traced(try CloudEventsHTTP.binary(headers: request.headers, body: text), trace),
                                            expected: expected, deliverAt: deliverAt)
            default:
                throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                               "send application/cloudevents+json, application/cloudevents-batch+json, or application/json with ce-* headers")
            }
        }
    }

    /// The 0-based offset of the first byte of `bytes` that is not part of valid UTF-8.
    static func firstInvalidUTF8(_ bytes: some Collection<UInt8>) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while case .valid(let scalar) = parser.parseScalar(from: &iterator) { offset += scalar.count }
        return offset
    }

    /// `Berrys-Atomic: true`: the batch is one atomic set (`EventLog.appendAtomically`).
    private func atomic(_ request: Request) throws -> Bool {
        switch request.headers[Self.atomicHeader]?.lowercased() {
        case nil, "false": return false
        case "true": return true
        default: throw APIError(.badRequest, code: "bad_header", "Berrys-Atomic must be true or false")
        }
    }

    /// `Berrys-Expected-Sequence`: the request's condition; an event's own `expectedsequence` wins.
    private func expectedSequence(_ request: Request) throws -> ExpectedSequence? {
        guard let text = request.headers[Self.expectedHeader] else { return nil }
        guard let expected = ExpectedSequence(text) else {
            throw APIError(.badRequest, code: "bad_header", "Berrys-Expected-Sequence must be any, none or a sequence number")
        }
        return expected
    }

    /// The request's W3C `traceparent` and `tracestate` headers.
    static func traceHeaders(_ request: Request) -> [String: String] {
        var trace: [String: String] = [:]
        trace[EventTrace.parentAttribute] = request.headers[HTTPField.Name(EventTrace.parentAttribute)!]
        trace[EventTrace.stateAttribute] = request.headers[HTTPField.Name(EventTrace.stateAttribute)!]
        return trace
    }

    /// The event with the request's trace context, unless it carries its own (`ce-traceparent`,
    /// or the attribute in the JSON): the publisher's span becomes the event's parent.
    static func traced(_ draft: EventDraft, _ trace: [String: String]) -> EventDraft {
        guard draft.extensions[EventTrace.parentAttribute] == nil, trace[EventTrace.parentAttribute] != nil else { return draft }
        var draft = draft
        draft.extensions.merge(trace) { own, _ in own }
        return draft
    }

    /// `Berrys-Deliver-At`: an RFC 3339 time to hold the event until.
    private func deliverAt(_ request: Request) throws -> Date? {
        guard let text = request.headers[Self.deliverAtHeader] else { return nil }
        guard let date = Timestamp.parse(text) else {
            throw APIError(.badRequest, code: "bad_header", "Berrys-Deliver-At must be an RFC 3339 time such as 2026-12-06T09:00:00Z")
        }
        return date
    }

    private func publishOne(_ draft: EventDraft, expected: ExpectedSequence?, deliverAt: Date?) async throws -> Response {
        var draft = draft
        draft.deliverAt = deliverAt
        let result = try await log.append(draft, expected: draft.expected ?? expected ?? .any)
        if result.scheduledFor != nil {
            return JSONResponse.make(Self.resultJSON(result).serialized, status: .accepted)
        }
        var response = JSONResponse.make(Self.resultJSON(result).serialized, status: result.duplicate ? .ok : .created)
        response.headers[.location] = "/v1/events/\(result.id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? result.id)"
        return response
    }

    /// All-or-nothing validation, then one pipelined append with per-event results in order;
    /// or, `atomic`, one atomic set: 201 with every result, or the refusal (409, 400) with
    /// nothing written.
    private func publishBatch(_ drafts: [EventDraft], expected: ExpectedSequence?, atomic: Bool) async throws -> Response {
        var envelopes: [EventEnvelope] = []
        var problems: [JSON] = []
        for (index, draft) in drafts.enumerated() {
            do {
                envelopes.append(try log.prepare(draft))
            } catch {
                let apiError = APIError.from(error)
                problems.append(.object(["index": .number(Double(index)), "status": .number(Double(apiError.status.code)),
                                         "error": apiError.body["error"] ?? .null]))
            }
        }
        guard problems.isEmpty else {
            let status: HTTPResponse.Status = problems.allSatisfy { $0["status"] == .number(422) } ? .unprocessableContent : .badRequest
            throw APIError(status, code: "invalid_batch", "\(problems.count) of \(drafts.count) events are invalid; nothing was published",
                           details: problems)
        }
        if atomic {
            let conditions = EventLog.setConditions(subjects: envelopes.map(\.subject), own: drafts.map(\.expected), setWide: expected)
            let results = try await log.appendAtomically(Array(zip(envelopes, conditions)))
            let status: HTTPResponse.Status = results.allSatisfy(\.duplicate) ? .ok : .created
            return JSONResponse.make(JSON.object(["results": .array(results.map(Self.resultJSON))]).serialized, status: status)
        }
        let results = try await log.appendBatch(zip(envelopes, drafts).map { ($0, $1.expected ?? expected ?? .any) })
        var conflict = false, appended = false
        let items: [JSON] = results.map { result in
            switch result {
            case .success(let append):
                appended = appended || !append.duplicate
                return Self.resultJSON(append)
            case .failure(let error):
                conflict = true
                return .object(["error": APIError.from(eventLogError: error).body["error"] ?? .null])
            }
        }
        let status: HTTPResponse.Status = conflict ? .conflict : appended ? .created : .ok
        return JSONResponse.make(JSON.object(["results": .array(items)]).serialized, status: status)
    }

    static func resultJSON(_ result: AppendResult) -> JSON {
        if let due = result.scheduledFor {
            return .object(["id": .string(result.id), "partition": .number(Double(result.position.partition)),
                            "status": .string("scheduled"), "deliver_at": .string(Timestamp.format(due))])
        }
        return .object(["id": .string(result.id), "partition": .number(Double(result.position.partition)),
                        "stream_id": .string(result.position.streamID.description), "position": .string(result.position.description),
                        "sequence": .number(Double(result.sequence)), "status": .string(result.duplicate ? "duplicate" : "appended")])
    }
}

/// Reading CloudEvents from HTTP bodies and headers, with the rules of the HTTP binding.
enum CloudEventsHTTP {
    /// One event in structured mode.
    static func structured(_ text: String) throws -> EventDraft {
        try draft(from: try parse(text))
    }

    /// A JSON array of events.
    static func batch(_ text: String) throws -> [EventDraft] {
        guard case .array(let items) = try parse(text) else {
            throw APIError(.badRequest, code: "invalid_envelope", "a batch must be a JSON array of CloudEvents")
        }
        guard !items.isEmpty else { throw APIError(.badRequest, code: "invalid_envelope", "a batch must hold at least one event") }
        var drafts: [EventDraft] = []
        var problems: [JSON] = []
        for (index, item) in items.enumerated() {
            do { drafts.append(try draft(from: item)) } catch {
                problems.append(.object(["index": .number(Double(index)), "error": APIError.from(error).body["error"] ?? .null]))
            }
        }
        guard problems.isEmpty else {
            throw APIError(.badRequest, code: "invalid_batch", "\(problems.count) of \(items.count) events are invalid; nothing was published",
                           details: problems)
        }
        return drafts
    }

    /// Binary mode: attributes in `ce-*` headers, the body is `data`.
    static func binary(headers: HTTPFields, body: String) throws -> EventDraft {
        var members: [String: JSON] = [:]
        for field in headers {
            let name = field.name.canonicalName
            guard name.hasPrefix("ce-") else { continue }
            members[String(name.dropFirst(3))] = .string(field.value.removingPercentEncoding ?? field.value)
        }
        members["data"] = try parse(body)
        return try draft(from: .object(members))
    }

    private static func parse(_ text: String) throws -> JSON {
        do { return try JSON(parsing: text) } catch {
            throw APIError(.badRequest, code: "invalid_json", "the body is not JSON: \(error)")
        }
    }

    /// CloudEvents requires `id` and `source` (non-empty) besides `specversion` and `type`;
    /// attribute names are lowercase letters and digits.
    private static func draft(from event: JSON) throws -> EventDraft {
        guard case .object(let members) = event else {
            throw APIError(.badRequest, code: "invalid_envelope", "a CloudEvent must be a JSON object")
        }
        for name in members.keys where name != "data" && name != "data_base64" {
            guard !name.isEmpty, name.count <= 20, name.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }) else {
                throw APIError(.badRequest, code: "invalid_envelope", "attribute name '\(name)' must be 1-20 lowercase letters or digits",
                               details: [.object(["attribute": .string(name)])])
            }
        }
        for name in ["id", "source", "type", "specversion"] {
            guard let value = members[name], case .string(let text) = value, !text.isEmpty else {
                throw APIError(.badRequest, code: "invalid_envelope", "\(name) is required and must be a non-empty string",
                               details: [.object(["attribute": .string(name)])])
            }
        }
        guard members["data"] != nil else {
            throw APIError(.badRequest, code: "invalid_envelope", "data is required (a JSON payload)", details: [.object(["attribute": .string("data")])])
        }
        return try EventDraft(cloudEvent: event)
    }
}

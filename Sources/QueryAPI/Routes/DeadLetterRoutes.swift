import BerrysJSON
import EventLog
import Foundation
import Hummingbird
import Workers

/// The workers' dead letters: list, show, retry, drop (the last two need an `admin` token
/// when tokens are on). A dead letter's `ref` is `<worker>:<partition>:<entry id>` (the CLI's
/// `<worker>/<partition>/<entry id>` with colons, so that it is one path segment) or its
/// event id when one worker parked it.
struct DeadLetterRoutes {
    let dependencies: APIDependencies
    var store: DeadLetterStore { DeadLetterStore(redis: dependencies.redis, namespace: dependencies.log.configuration.namespace) }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/dlq") { request, context in
            let worker = try QueryParameters(request, context).string("worker")
            let letters = try await store.list(worker: worker).sorted { $0.parkedAtMilliseconds > $1.parkedAtMilliseconds }
            return JSONResponse.make(JSON.array(letters.map { Self.json($0, withFields: false) }).serialized)
        }
        router.get("/v1/dlq/:ref") { request, context in
            JSONResponse.make(Self.json(try await find(request, context), withFields: true).serialized)
        }
        router.post("/v1/dlq/:ref/retry") { request, context in
            let retried = try await store.retry(try await find(request, context))
            return JSONResponse.make(JSON.object(["retried": .number(Double(retried))]).serialized)
        }
        router.post("/v1/dlq/:ref/drop") { request, context in
            let released = try await store.drop(try await find(request, context), by: "api")
            return JSONResponse.make(JSON.object(["dropped": .number(1), "released": .number(Double(released))]).serialized)
        }
    }

    private func find(_ request: Request, _ context: BasicRequestContext) async throws -> DeadLetter {
        let reference = try QueryParameters(request, context).path("ref", maxLength: 300)
        do {
            return try await store.find(reference.replacingOccurrences(of: ":", with: "/"))
        } catch let error as DeadLetterError {
            switch error {
            case .notFound: throw APIError.notFound("dead letter \(reference)")
            case .ambiguous(_, let matches):
                throw APIError(.conflict, code: "ambiguous", "event \(reference) is parked by several workers; use one of: "
                               + matches.map { $0.replacingOccurrences(of: "/", with: ":") }.joined(separator: ", "))
            }
        }
    }

    /// A dead letter as JSON: where it is, why, and (with `withFields`) every stored field.
    static func json(_ letter: DeadLetter, withFields: Bool) -> JSON {
        var members: [String: JSON] = [
            "ref": .string(letter.reference.replacingOccurrences(of: "/", with: ":")), "worker": .string(letter.worker),
            "partition": .number(Double(letter.partition)), "entry_id": .string(letter.entryID), "event_id": .string(letter.eventID ?? ""),
            "type": .string(letter.type ?? ""), "subject": .string(letter.subject ?? ""),
            "reason": .string(letter.reason?.rawValue ?? "unknown"), "error": .string(letter.error),
            "attempts": .number(Double(letter.attempts)), "key": .string(letter.key),
            "parked_at": .string(Timestamp.format(Date(timeIntervalSince1970: Double(letter.parkedAtMilliseconds) / 1000))),
        ]
        if withFields {
            members["fields"] = .object(Dictionary(letter.fields.map { ($0.name, JSON.string($0.value)) }) { first, _ in first })
        }
        return .object(members)
    }
}

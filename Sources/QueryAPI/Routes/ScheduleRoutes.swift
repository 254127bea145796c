import BerrysJSON
import EventLog
import Foundation
import Hummingbird

/// Events held for later (`Berrys-Deliver-At`): list them, cancel one by id.
struct ScheduleRoutes {
    let dependencies: APIDependencies

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/scheduled") { request, context in
            let limit = try QueryParameters(request, context).integer("limit", in: 1...1000) ?? 100
            let events = try await dependencies.log.scheduledEvents(limit: limit)
            return JSONResponse.make(JSON.array(events.map { event in
                .object(["id": .string(event.id), "type": .string(event.type), "subject": .string(event.subject),
                         "partition": .number(Double(event.partition)), "deliver_at": .string(Timestamp.format(event.deliverAt))])
            }).serialized)
        }
        router.delete("/v1/scheduled/:id") { _, context in
            let id = try context.parameters.require("id")
            guard try await dependencies.log.cancelScheduled(id: id) else {
                throw APIError.notFound("held event \(id) (appended already, cancelled, or never scheduled)")
            }
            return Response(status: .noContent)
        }
    }
}

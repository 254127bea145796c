import BerrysJSON
import Hummingbird
import QueryAPI

/// Templates, topics, models and tools, from the `platform` projection.
struct CatalogRoutes {
    let reads: ReadStore

    func register(on router: some RouterMethods<BasicRequestContext>) {
        router.get("/v1/templates") { _, _ in
            return JSONResponse.make(try await reads.list("SELECT * FROM read.agent_templates ORDER BY name, id"))
        }
        router.get("/v1/templates/:id") { request, context in
            let id = try QueryParameters(request, context).pathUUID()
            guard let template = try await reads.one("""
                SELECT t.*, coalesce((SELECT json_agg(v ORDER BY v.version_number) FROM
                    (SELECT version_number, content, changelog, published_at FROM read.agent_template_versions WHERE template_id = t.id) v),
                    '[]'::json) AS versions
                FROM read.agent_templates t WHERE t.id = $1::uuid
                """, [id]) else { throw APIError.notFound("template \(id)") }
            return JSONResponse.make(template)
        }
        router.get("/v1/topics/:topic/subscribers") { request, context in
            let topic = try QueryParameters(request, context).path("topic")
            return JSONResponse.make(try await reads.list(
                "SELECT agent_id, subscribed_at FROM read.topic_subscriptions WHERE topic = $1 ORDER BY agent_id", [topic]))
        }
        router.get("/v1/models") { _, _ in
            return JSONResponse.make(try await reads.list("SELECT * FROM read.models ORDER BY id"))
        }
        router.get("/v1/models/:id/usage") { request, context in
            let id = try QueryParameters(request, context).path("id")
            guard try await reads.json("SELECT 'true' FROM read.models WHERE id = $1", [id]) != nil else { throw APIError.notFound("model \(id)") }
            let usage = try await reads.one("SELECT * FROM read.model_usage WHERE model_id = $1", [id])
            return JSONResponse.make(usage ?? JSON.object(["model_id": .string(id), "requests": .number(0), "failures": .number(0), "tokens_in": .number(0),
                                                          "tokens_out": .number(0), "total_cost": .number(0)]).serialized)
        }
        router.get("/v1/tools") { _, _ in
            return JSONResponse.make(try await reads.list("SELECT * FROM read.tools ORDER BY name, id"))
        }
    }
}

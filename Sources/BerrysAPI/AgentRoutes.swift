import BerrysDomain
import Hummingbird
import QueryAPI

/// `/v1/agents…` and `/v1/executions/{id}`, from the `platform` projection.
struct AgentRoutes {
    let reads: ReadStore

    func register(on router: some RouterMethods<BasicRequestContext>) {
        router.get("/v1/agents") { request, context in
            try await reads.listPage(of: "read.agents", request, context) { query, filters in
                filters.add(try query.oneOf("status", AgentStatus.self)) { "status = \($0)" }
                filters.add(try query.oneOf("state_detail", AgentStateDetail.self)) { "state_detail = \($0)" }
                filters.add(try query.oneOf("agent_type", AgentType.self)) { "agent_type = \($0)" }
                filters.add(try query.uuid("project_id")) { "project_id = \($0)::uuid" }
                filters.add(try query.uuid("template_id")) { "template_id = \($0)::uuid" }
                filters.add(try query.string("specialization")) { "\($0)::text = ANY (specializations)" }
                filters.add(try query.string("q")) { "strpos(lower(name), lower(\($0)::text)) > 0" }
            }
        }
        router.get("/v1/agents/:id") { request, context in
            let id = try QueryParameters(request, context).pathUUID()
            guard let agent = try await reads.one("SELECT * FROM read.agents WHERE id = $1::uuid", [id]) else { throw APIError.notFound("agent \(id)") }
            return JSONResponse.make(agent)
        }
        router.get("/v1/agents/:id/history") { request, context in
            let id = try await existingAgent(request, context)
            return JSONResponse.make(try await reads.list("""
                SELECT event_id, from_status, to_status, from_state_detail, to_state_detail, reason, time, sequence
                FROM read.agent_state_history WHERE agent_id = $1::uuid ORDER BY sequence
                """, [id]))
        }
        router.get("/v1/agents/:id/executions") { request, context in
            let id = try await existingAgent(request, context)
            var filters = SQLFilters()
            filters.add(id) { "agent_id = \($0)::uuid" }
            filters.add(try QueryParameters(request, context).oneOf("state", ExecutionState.self)) { "state = \($0)" }
            return JSONResponse.make(try await reads.list(
                "SELECT * FROM read.agent_executions WHERE \(filters.sql) ORDER BY queued_at, id", filters.parameters))
        }
        router.get("/v1/agents/:id/inbox") { request, context in
            let id = try await existingAgent(request, context)
            return JSONResponse.make(try await reads.list(
                "SELECT * FROM read.agent_inbox WHERE recipient_id = $1::uuid ORDER BY delivered_at, message_id", [id]))
        }
        router.get("/v1/agents/:id/tools") { request, context in
            let id = try await existingAgent(request, context)
            return JSONResponse.make(try await reads.list("""
                SELECT t.id AS tool_id, t.name, t.category, t.version, a.permissions, a.integrated_at, a.executions, a.failures,
                       a.total_duration_ms FROM read.agent_tools a JOIN read.tools t ON t.id = a.tool_id
                WHERE a.agent_id = $1::uuid ORDER BY t.name, t.id
                """, [id]))
        }
        router.get("/v1/executions/:id") { request, context in
            let id = try QueryParameters(request, context).pathUUID()
            guard let execution = try await reads.one("SELECT * FROM read.agent_executions WHERE id = $1::uuid", [id]) else {
                throw APIError.notFound("execution \(id)")
            }
            return JSONResponse.make(execution)
        }
    }

    /// The path's agent id; 404 when there is no such agent.
    private func existingAgent(_ request: Request, _ context: BasicRequestContext) async throws -> String {
        let id = try QueryParameters(request, context).pathUUID()
        guard try await reads.json("SELECT 'true' FROM read.agents WHERE id = $1::uuid", [id]) != nil else {
            throw APIError.notFound("agent \(id)")
        }
        return id
    }
}

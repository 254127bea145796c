import BerrysDomain
import Hummingbird
import QueryAPI

/// `/v1/projects…`, `/v1/plans…`, `/v1/tasks/{id}`, from the `platform` projection.
struct PlanningRoutes {
    let reads: ReadStore

    func register(on router: some RouterMethods<BasicRequestContext>) {
        router.get("/v1/projects") { request, context in
            try await reads.listPage(of: "read.projects", request, context) { query, filters in
                filters.add(try query.oneOf("status", ProjectStatus.self)) { "status = \($0)" }
            }
        }
        router.get("/v1/projects/:id") { request, context in
            let id = try QueryParameters(request, context).pathUUID()
            guard let project = try await reads.one("SELECT * FROM read.projects WHERE id = $1::uuid", [id]) else {
                throw APIError.notFound("project \(id)")
            }
            return JSONResponse.make(project)
        }
        router.get("/v1/plans") { request, context in
            try await reads.listPage(of: "read.plans", request, context) { query, filters in
                filters.add(try query.uuid("project_id")) { "project_id = \($0)::uuid" }
            }
        }
        router.get("/v1/plans/:id") { request, context in
            let id = try QueryParameters(request, context).pathUUID()
            guard let plan = try await reads.one("""
                SELECT p.*, CASE WHEN tasks_total > 0 THEN round(100.0 * tasks_completed / tasks_total, 1) ELSE 0 END AS progress_percentage
                FROM read.plans p WHERE id = $1::uuid
                """, [id]) else { throw APIError.notFound("plan \(id)") }
            return JSONResponse.make(plan)
        }
        router.get("/v1/plans/:id/tasks") { request, context in
            let query = QueryParameters(request, context)
            let status = try query.oneOf("status", TaskStatus.self)
            let agent = try query.uuid("assigned_agent_id")
            let id = try query.pathUUID()
            guard try await reads.json("SELECT 'true' FROM read.plans WHERE id = $1::uuid", [id]) != nil else { throw APIError.notFound("plan \(id)") }
            var filters = SQLFilters()
            filters.add(id) { "t.plan_id = \($0)::uuid" }
            filters.add(status) { "t.status = \($0)" }
            filters.add(agent) { "t.assigned_agent_id = \($0)::uuid" }
            return JSONResponse.make(try await reads.list("""
                SELECT t.*, \(Self.dependencies) FROM read.planning_tasks t WHERE \(filters.sql) ORDER BY t.created_at, t.id
                """, filters.parameters))
        }
        router.get("/v1/tasks/:id") { request, context in
            let id = try QueryParameters(request, context).pathUUID()
            guard let task = try await reads.one("""
                SELECT t.*, \(Self.dependencies)
                FROM read.planning_tasks t WHERE t.id = $1::uuid
                """, [id]) else { throw APIError.notFound("task \(id)") }
            return JSONResponse.make(task)
        }
    }

    /// A task row's dependencies as a JSON array (`t` is the task).
    static let dependencies = """
        coalesce((SELECT json_agg(json_build_object('depends_on_task_id', d.depends_on_task_id, 'dependency_type', d.dependency_type)
                                  ORDER BY d.depends_on_task_id)
                  FROM read.task_dependencies d WHERE d.task_id = t.id), '[]'::json) AS dependencies
        """
}

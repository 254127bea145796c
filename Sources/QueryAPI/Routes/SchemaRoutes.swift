import BerrysJSON
import Hummingbird

/// `GET /v1/schemas`: the event types this server knows, each with its newest schema version
/// (the version `data` is upcast to on reads and in the live stream).
struct SchemaRoutes {
    let dependencies: APIDependencies

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/schemas") { _, _ in
            let registry = dependencies.log.registry
            return JSONResponse.make(JSON.array(registry.types.map { type in
                .object(["type": .string(type), "newest_version": .number(Double(registry.newestVersion(of: type) ?? 1))])
            }).serialized)
        }
    }
}

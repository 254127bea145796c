/// Runs `body`, then `cleanUp`, also when `body` throws (its error is then rethrown): the one
/// shape of the tests' scoped resources (servers, processes, connections).
public func doing<T>(_ body: () async throws -> T, finally cleanUp: () async -> Void) async throws -> T {
    do {
        let result = try await body()
        await cleanUp()
        return result
    } catch {
        await cleanUp()
        throw error
    }
}

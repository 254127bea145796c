import BerrysJSON
import EventLog
import Hummingbird
import HummingbirdTesting
import PostgresClient
import QueryAPI
import RedisClient
import TestSupport
import Testing

/// `GET /asyncapi.json` serves the catalog of the running log: valid AsyncAPI 3.0, with the
/// log's own partition count and the participants the process was given.
@Suite struct AsyncAPIRouteTests {
    @Test func theServedCatalogIsValidAndNamesTheParticipants() async throws {
        let log = try await TestLog.open()
        let participants = [
            EventCatalog.Participant(name: "greeter", kind: .worker, receives: ["agent.created"], sends: ["agent.message.sent"]),
            EventCatalog.Participant(name: "hook", kind: .connector, receives: ["task.created"]),
        ]
        let dependencies = APIDependencies(log: log, redis: RedisPool(configuration: TestServers.redisConfiguration, size: 1),
                                           reads: ReadStore(conninfo: TestServers.databaseURL, settings: APISettings()),
                                           admin: PostgresPool(conninfo: TestServers.databaseURL, size: 1), databaseURL: TestServers.databaseURL,
                                           settings: APISettings(), participants: participants, redisAddress: "127.0.0.1:6391")
        let app = Application(router: APIServer.router(dependencies))
        try await app.test(.router) { client async throws in
            let response = try await client.execute(uri: "/asyncapi.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let text = String(buffer: response.body)
            let problems = try await AsyncAPIValidation.problems(of: text)
            #expect(problems.isEmpty, "\(problems)")
            let document = try JSON(parsing: text)
            #expect(document["channels"]?["partitions"]?["parameters"]?["partition"]?["enum"]?.arrayValue?.count == log.partitioner.partitions)
            #expect(document["operations"]?["worker.greeter.send"]?["messages"] == .array([.object(["$ref": .string("#/channels/partitions/messages/agent.message.sent")])]))
            #expect(document["operations"]?["connector.hook.receive"] != nil)
            #expect(document["servers"]?["redis"]?["host"] == .string("127.0.0.1:6391"))
        }
    }
}

import BerrysAPI
import BerrysJSON
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import QueryAPI
import TestSupport
import Testing

/// Query parameters an endpoint does not take are refused (schemathesis's negative mode found
/// them ignored), and the two forms of read-your-writes may not disagree.
@Suite struct KnownQueryParametersTests {
    @Test func theTableComesFromTheDocumentIncludingPathLevelAndReferencedParameters() throws {
        let document = try JSON(parsing: #"""
            {"paths": {"/v1/things/{id}": {"parameters": [{"name": "id", "in": "path"}, {"$ref": "#/components/parameters/Consistent"}],
                                           "get": {"parameters": [{"name": "state", "in": "query"}, {"name": "X-Trace", "in": "header"}]}},
                       "/v1/plain": {"get": {}}},
             "components": {"parameters": {"Consistent": {"name": "consistent_with", "in": "query"}}}}
            """#)
        let table = KnownQueryParameters<BasicRequestContext>.parameters(of: document)
        #expect(table == ["GET /v1/things/{id}": ["state", "consistent_with"], "GET /v1/plain": []])
    }

    /// The engine's document names no read model; merged with the Berrys fragment, as served,
    /// it lists every read endpoint's filters.
    @Test func theServedDocumentListsEveryReadEndpointsFilters() throws {
        #expect(OpenAPIDocument.engine["paths"]?["/v1/agents"] == nil, "the engine documents no domain route")
        #expect(OpenAPIDocument.engine["paths"]?["/v1/events"] != nil)
        let served = OpenAPIDocument(mergingIn: [try #require(BerrysRoutes.openAPI)])
        #expect(served.json["components"]?["schemas"]?["Agent"] != nil && served.json["components"]?["schemas"]?["Error"] != nil)
        let table = KnownQueryParameters<BasicRequestContext>.parameters(of: served.json)
        #expect(table["GET /v1/agents"]?.isSuperset(of: ["status", "q", "limit", "cursor", "consistent_with"]) == true)
        #expect(table["GET /v1/agents/{id}"] == ["consistent_with"])
    }

    @Test func unknownParametersAndDisagreeingPositionsAreRefusedNamingTheParameter() async throws {
        try await APIHarness.with(runWorkers: false) { harness in
            try await harness.withClient { client async throws in
                let misspelt = try await client.get("/v1/agents?stauts=ACTIVE")
                #expect(misspelt.status == .badRequest)
                let detail = misspelt.json["error"]?["details"]?.arrayValue?.first
                #expect(detail?["parameter"] == .string("stauts"))
                #expect(detail?["rule"]?.stringValue?.contains("it takes") == true, "\(misspelt.json)")
                #expect(try await client.get("/v1/agents?status=ACTIVE&limit=5").status == .ok)
                #expect(try await client.get("/v1/models?x=1").status == .badRequest)

                let published = try await client.post("/v1/events", body: Events.agentCreated(Events.uuid()))
                let position = try #require(published.json["position"]?.stringValue)
                let header = HTTPField.Name("Berrys-Consistent-With")!
                let disagreeing = try await client.get("/v1/agents?consistent_with=\(position)", headers: [header: "0-0-0"])
                #expect(disagreeing.status == .badRequest, "\(disagreeing.json)")
                #expect(disagreeing.json["error"]?["details"]?.arrayValue?.first?["parameter"] == .string("Berrys-Consistent-With"))
                #expect(try await client.get("/v1/agents?consistent_with=\(position)", headers: [header: position]).status == .ok)
            }
        }
    }
}

import BerrysJSON
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The official CloudEvents Python SDK's own requests (Tests/Interop/cloudevents_sdk_requests.py),
/// sent as they are: each is accepted, including binary mode without a Content-Type, which the
/// CloudEvents JSON format reads as JSON.
@Suite struct CloudEventsSDKTests {
    @Test func theSDKsBinaryAndStructuredRequestsArePublished() async throws {
        let ids = (0..<3).map { _ in Events.uuid() }
        let script = TestServers.projectRoot.appendingPathComponent("Tests/Interop/cloudevents_sdk_requests.py").path
        let output = try await TestServers.runCapturingOffPool("python3", [script] + ids)
        #expect(output.status == 0, "\(output.stderr)")
        let requests = try output.stdout.split(separator: "\n").map { try JSON(parsing: String($0)) }
        #expect(requests.count == 3)
        #expect(requests.first?["headers"]?.objectValue?.keys.contains { $0.lowercased() == "content-type" } == false,
                "the SDK sends no Content-Type for an event without datacontenttype")
        try await APIHarness.withAPI(runWorkers: false, runProjector: false) { client in
            for (request, id) in zip(requests, ids) {
                var headers = HTTPFields()
                for (name, value) in request["headers"]?.objectValue ?? [:] {
                    headers[HTTPField.Name(name)!] = value.stringValue ?? ""
                }
                let body = request["body"]?.stringValue ?? ""
                let (status, json) = try await client.execute(uri: "/v1/events", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                    (response.status, (try? JSON(parsing: String(buffer: response.body))) ?? .null)
                }
                #expect(status == .created, "\(request["name"]?.stringValue ?? ""): \(json)")
                #expect(json["subject"] == .string(id) || json["position"] != nil, "\(json)")
            }
        }
    }
}

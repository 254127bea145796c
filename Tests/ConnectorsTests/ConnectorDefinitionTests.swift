import Connectors
import Foundation
import Testing

/// Connector files: what they declare, and the refusals that name the file, the field and the rule.
@Suite struct ConnectorDefinitionTests {
    let types: Set<String> = ["agent.created", "agent.execution.queued", "agent.execution.completed", "task.created"]

    @Test func aFullFileAndItsDefaults() throws {
        let files = try ConnectorFile()
        let full = try files.load("notify", """
            url: https://hooks.example.com/berrys
            types: [agent.execution.*, task.created]
            headers: {X-Team: platform}
            secret_env: NOTIFY_SECRET
            timeout_seconds: 2.5
            max_in_flight: 4
            mode: structured
            circuit: {failure_threshold: 3, recovery_timeout_seconds: 10}
            """, knownTypes: types, environment: ["NOTIFY_SECRET": "s3cret"])
        #expect(full.workerName == "connector-notify")
        #expect(full.handledTypes(among: types) == ["agent.execution.queued", "agent.execution.completed", "task.created"])
        #expect(full.headers == ["X-Team": "platform"])
        #expect(full.secret == "s3cret")
        #expect(full.timeout == .milliseconds(2500))
        #expect(full.maxInFlight == 4 && full.mode == .structured)
        #expect(full.failureThreshold == 3 && full.recoveryTimeout == .seconds(10))

        let plain = try files.load("plain", "url: http://127.0.0.1:9/x\ntypes: [agent.created]\n", knownTypes: types)
        #expect(plain.mode == .binary && plain.secret == nil && plain.maxInFlight == 16)
        #expect(plain.timeout == .seconds(10) && plain.failureThreshold == 5 && plain.recoveryTimeout == .seconds(30),
                "the service guide's breaker: 5 failures, 30 s")
    }

    @Test(arguments: [
        ("url: ftp://x/y\ntypes: [agent.created]", "url", "http or https"),
        ("types: [agent.created]", "url", "is required"),
        ("url: http://h/x\ntypes: []", "types", "is required"),
        ("url: http://h/x\ntypes: [agent.*.created]", "types[0]", "prefix ending in .*"),
        ("url: http://h/x\ntypes: [plan.*]", "types[0]", "selects no event type"),
        ("url: http://h/x\ntypes: [agent.created]\nmax_in_flight: 0", "max_in_flight", "from 1 to 1024"),
        ("url: http://h/x\ntypes: [agent.created]\ntimeout_seconds: fast", "timeout_seconds", "number of seconds"),
        ("url: http://h/x\ntypes: [agent.created]\nmode: xml", "mode", "binary or structured"),
        ("url: http://h/x\ntypes: [agent.created]\nsecret_env: MISSING", "secret_env", "not set"),
        ("url: http://h/x\ntypes: [agent.created]\nheaders: {ce-id: x}", "headers.ce-id", "set by the connector"),
        ("url: http://h/x\ntypes: [agent.created]\nretries: 3", "retries", "not a connector field"),
        ("url: http://h/x\ntypes: [agent.created]\ncircuit: {failure_threshold: 0}", "circuit.failure_threshold", "from 1 to 1000"),
    ])
    func badFilesNameTheFieldAndTheRule(text: String, field: String, rule: String) throws {
        let files = try ConnectorFile()
        do {
            _ = try files.load("bad", text, knownTypes: types)
            Issue.record("accepted: \(text)")
        } catch let error as ConnectorConfigurationError {
            #expect(error.field == field, "\(error)")
            #expect(error.rule.contains(rule), "\(error)")
            #expect(error.file.hasSuffix("bad.yaml") && error.description.hasPrefix("CONNECTOR_INVALID: "))
        }
    }

    @Test func notYAMLAndBadNamesAreRefusedForTheWholeFile() throws {
        let files = try ConnectorFile()
        #expect(throws: ConnectorConfigurationError.self) { try files.load("broken", "url: [unclosed", knownTypes: types) }
        #expect(throws: ConnectorConfigurationError.self) { try files.load("Bad_Name", "url: http://h/x\ntypes: [agent.created]", knownTypes: types) }
    }

    @Test func aFolderLoadsItsYAMLFilesInNameOrder() throws {
        let files = try ConnectorFile()
        try files.write("b", "url: http://h/b\ntypes: [agent.created]")
        try files.write("a", "url: http://h/a\ntypes: [task.created]")
        try "not a connector".write(to: files.folder.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        #expect(try ConnectorFolder.loadAll(from: files.folder, knownTypes: types).map(\.name) == ["a", "b"])
        #expect(ConnectorFolder.locate(environment: ["BERRYS_CONNECTORS_DIR": files.folder.path])?.standardizedFileURL.path == files.folder.standardizedFileURL.path)
    }

    @Test func typeFilters() {
        #expect(TypeFilter("agent.execution.*") == .prefix("agent.execution."))
        #expect(TypeFilter("agent.created") == .exact("agent.created"))
        #expect(TypeFilter("*") == nil && TypeFilter("") == nil && TypeFilter(".*") == nil)
        #expect(TypeFilter("agent.*")?.matches("agent.execution.queued") == true)
        #expect(TypeFilter("agent.*")?.matches("agents.x") == false)
    }
}

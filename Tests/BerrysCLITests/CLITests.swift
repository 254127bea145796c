import ProcessSupport
import BerrysFoundation
import BerrysJSON
import Foundation
import TestSupport
import Testing

/// The `berrys` executable end to end, against the test Redis, each test in its own namespace.
@Suite struct CLITests {
    let namespace = TestServers.uniqueNamespace("cli")

    func berrys(_ arguments: [String], input: String? = nil, environment extra: [String: String] = [:]) async throws
        -> (status: Int32, stdout: String, stderr: String) {
        let binary = TestServers.projectRoot.appendingPathComponent(".build/debug/berrys").path
        var environment = ["BERRYS_REDIS_URL": TestServers.redisURL, "BERRYS_NAMESPACE": namespace,
                           "BERRYS_SCHEMAS_DIR": TestServers.projectRoot.appendingPathComponent("schemas").path]
        environment.merge(extra) { $1 }
        return try await TestServers.runCapturingOffPool(binary, arguments, input: input, environment: environment)
    }

    static func project(_ id: String) -> String { #"{"project_id":"\#(id)","name":"Survey"}"# }

    @Test func publishPrintsWhereTheEventLandedAndReadPrintsIt() async throws {
        let id = UUID().uuidString.lowercased()
        let published = try await berrys(["publish", "project.created", "--data", Self.project(id), "--id", "p-\(id)", "--expect", "none"])
        #expect(published.status == 0, "\(published.stderr)")
        #expect(published.stdout.hasPrefix("appended id=p-\(id) partition="))
        #expect(published.stdout.contains("sequence=1"))
        let again = try await berrys(["publish", "project.created", "--data", Self.project(id), "--id", "p-\(id)"])
        #expect(again.stdout.hasPrefix("duplicate id=p-\(id)"))
        let read = try await berrys(["log", "read"])
        #expect(read.status == 0)
        let lines = read.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let event = try JSON(parsing: String(lines[0]))
        #expect(event["id"] == .string("p-\(id)"))
        #expect(event["data"]?["project_id"] == .string(id))
    }

    @Test func invalidPayloadExitsOneNamingThePointer() async throws {
        let result = try await berrys(["publish", "project.created", "--data", #"{"project_id":"nope"}"#])
        #expect(result.status == 1)
        #expect(result.stderr.contains("BERRYS_SCHEMA_VIOLATION"))
        #expect(result.stderr.contains("/project_id: must be a valid uuid"))
        #expect(result.stderr.contains("/name: required property missing"))
        #expect(try await berrys(["log", "read"]).stdout.isEmpty)
    }

    @Test func conflictExitsOneShowingExpectedAndActual() async throws {
        let id = UUID().uuidString.lowercased()
        _ = try await berrys(["publish", "project.created", "--data", Self.project(id)])
        let result = try await berrys(["publish", "project.created", "--data", Self.project(id), "--expect", "3"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("expected sequence 3, actual sequence 1"))
    }

    @Test func fileOfCloudEventsReportsRejectedLinesAndPublishesTheRest() async throws {
        func line(_ id: String, data: String) -> String {
            #"{"specversion":"1.0","id":"\#(id)","source":"test","type":"project.created","data":\#(data)}"#
        }
        let ids = (0..<3).map { _ in UUID().uuidString.lowercased() }
        let file = [line("a-\(ids[0])", data: Self.project(ids[0])), line("bad", data: #"{"project_id":1}"#),
                    "not json", line("a-\(ids[1])", data: Self.project(ids[1])), line("a-\(ids[0])", data: Self.project(ids[0])),
                    line("a-\(ids[2])", data: Self.project(ids[2]))].joined(separator: "\n")
        let result = try await berrys(["publish", "--file", "-"], input: file)
        #expect(result.status == 1)
        #expect(result.stdout.contains("published 3, duplicates 1, rejected 2"))
        #expect(result.stderr.contains("line 2: rejected"))
        #expect(result.stderr.contains("line 3: rejected"))
        #expect(try await berrys(["log", "read"]).stdout.split(separator: "\n").count == 3)
    }

    /// `--atomic`: the file is one set, all or nothing; a refusal names the line and writes nothing.
    @Test func anAtomicFileIsPublishedWholeOrNotAtAll() async throws {
        let project = UUID().uuidString.lowercased()
        func line(_ type: String, _ data: String, expected: String) -> String {
            #"{"specversion":"1.0","id":"\#(UUID().uuidString)","source":"test","type":"\#(type)","expectedsequence":"\#(expected)","data":\#(data)}"#
        }
        let status = #"{"project_id":"\#(project)","previous_status":"DRAFT","new_status":"PLANNING"}"#
        let stale = [line("project.created", Self.project(project), expected: "none"), line("project.status_changed", status, expected: "3")]
        let refused = try await berrys(["publish", "--file", "-", "--atomic"], input: stale.joined(separator: "\n"))
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("line 2: event 2: subject \(project): expected sequence 3, actual sequence 1"), "\(refused.stderr)")
        #expect(try await berrys(["log", "read"]).stdout.isEmpty, "nothing was published")
        let good = [line("project.created", Self.project(project), expected: "none"), line("project.status_changed", status, expected: "1")]
        let written = try await berrys(["publish", "--file", "-", "--atomic"], input: good.joined(separator: "\n"))
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.contains("published 2, duplicates 0, rejected 0 (one atomic set)"))
        #expect(try await berrys(["publish", "--atomic", "project.created", "--data", Self.project(project)]).status != 0)
    }

    @Test func schemasCommands() async throws {
        let list = try await berrys(["schemas", "list"])
        #expect(list.stdout.contains("agent.created\tversions v1,v2\tnewest v2"))
        #expect(try await berrys(["schemas", "check"]).status == 0)
        let example = TestServers.projectRoot.appendingPathComponent("schemas/agent.created/examples/v1.valid.json").path
        #expect(try await berrys(["schemas", "validate", "agent.created", "--version", "1", example]).status == 0)
        let invalid = try await berrys(["schemas", "validate", "agent.created", example])
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("/specializations: required property missing"))
    }

    @Test func badConfigurationExitsSeventyEightNamingTheVariable() async throws {
        let result = try await berrys(["init"], environment: ["BERRYS_PARTITIONS": "many"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("BERRYS_PARTITIONS"))
    }

    @Test func unreachableRedisExitsSixtyNineAfterRetrying() async throws {
        let result = try await berrys(["publish", "project.created", "--data", Self.project(UUID().uuidString.lowercased())],
                                environment: ["BERRYS_REDIS_URL": "redis://127.0.0.1:1", "BERRYS_REDIS_RETRY_SECONDS": "1"])
        #expect(result.status == 69)
        #expect(result.stderr.contains("BERRYS_UNAVAILABLE"))
    }

    @Test func everyCommandHasHelp() async throws {
        for command in [[], ["init"], ["publish"], ["log", "read"], ["schemas", "validate"], ["migrate"], ["project"], ["replay"],
                        ["projections", "list"], ["projections", "status"], ["serve"], ["demo"], ["worker"], ["run"],
                        ["workers", "list"], ["dlq", "list"], ["dlq", "show"], ["dlq", "retry"], ["dlq", "drop"], ["status"]] {
            let result = try await berrys(command + ["--help"])
            #expect(result.status == 0, "\(command)")
            #expect(result.stdout.contains("USAGE"), "\(command)")
        }
    }

    @Test func benchmarksAreAProductOfTheirOwn() async throws {
        let help = try await berrys(["--help"])
        #expect(!help.stdout.contains("bench"), "berrys --help lists a benchmark: \(help.stdout)")
        #expect(try await berrys(["bench", "publish"]).status == 64)
        let bench = TestServers.projectRoot.appendingPathComponent(".build/debug/berrys-bench").path
        for command in [[], ["publish"], ["cluster"], ["workers"], ["replay"], ["api"], ["stream"], ["retention"], ["faults"], ["soak"]] {
            let result = try await TestServers.runCapturingOffPool(bench, command + ["--help"], input: nil, environment: [:])
            #expect(result.status == 0, "\(command)")
            #expect(result.stdout.contains("USAGE: berrys-bench"), "\(command): \(result.stdout)")
        }
    }

    /// A port already taken (the test Redis listens there): the API cannot bind, and the process
    /// says where it tried and exits 69 before its projector and workers start.
    @Test func anAPIThatCannotListenExitsSixtyNineNamingTheAddress() async throws {
        let database = try await TestServers.freshDatabase()
        let taken = try #require(URL(string: TestServers.redisURL)?.port)
        for command in ["serve", "run"] {
            let result = try await berrys([command], environment: ["BERRYS_DATABASE_URL": database, "BERRYS_HTTP_PORT": String(taken)])
            #expect(result.status == 69, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("cannot listen on 127.0.0.1:\(taken)"), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("starting as consumer"), "\(command) started its workers: \(result.stderr)")
        }
    }

    @Test func workersListShowsEachWorkerWithItsTypes() async throws {
        let result = try await berrys(["workers", "list"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("planning-to-agent\ttask.assigned, task.created, task.status_changed"))
        #expect(result.stdout.contains("deadlines\tagent.execution.completed, agent.execution.deadline_exceeded"))
        #expect(result.stdout.split(separator: "\n").count == 5, "the five platform workers, no connector (connectors/ has none)")
    }

    @Test func deadLettersCanBeListedShownAndDroppedFromTheCommandLine() async throws {
        try await withProcesses { processes in
            let database = try await TestServers.freshDatabase()
            let environment = ["BERRYS_DATABASE_URL": database]
            let task = UUID().uuidString.lowercased()
            let data = #"{"task_id":"\#(task)","plan_id":"\#(task)","agent_id":"\#(task)"}"#
            #expect(try await berrys(["publish", "task.assigned", "--data", data, "--id", "orphan-\(task)"]).status == 0)
            let binary = TestServers.projectRoot.appendingPathComponent(".build/debug/berrys").path
            let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("dlq-\(UUID().uuidString).log").path
            let metricsPort = try TestServers.freePort()
            let worker = try processes.start(binary, ["worker", "--only", "planning-to-agent", "--max-deliveries", "1",
                                                              "--metrics-port", String(metricsPort)],
                                                     environment: ["BERRYS_REDIS_URL": TestServers.redisURL, "BERRYS_NAMESPACE": namespace,
                                                                   "BERRYS_DATABASE_URL": database,
                                                                   "BERRYS_SCHEMAS_DIR": TestServers.projectRoot.appendingPathComponent("schemas").path],
                                                     logPath: logPath)
            var listed = ""
            try await eventually("the orphan assignment dead-lettered", timeout: 60, every: .milliseconds(50)) {
                listed = try await berrys(["dlq", "list"]).stdout
                return listed.contains("orphan-\(task)")
            }
            // The counter moves just after the entry is parked: poll briefly.
            let expected = #"berrys_worker_events_dead_lettered_total{worker="planning-to-agent"} 1"#
            var metrics = (status: Int32(0), stdout: "", stderr: "")
            try? await eventually("the dead-letter counter at 1", timeout: 2, every: .milliseconds(50)) {
                metrics = try await TestServers.runCapturingOffPool("curl", ["-fsS", "http://127.0.0.1:\(metricsPort)/metrics"])
                return metrics.stdout.contains(expected)
            }
            let workerLog = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
            #expect(metrics.stdout.contains(expected),
                    "\(metrics.stdout) \(metrics.stderr)\n\(workerLog())")
            let readiness = try await TestServers.runCapturingOffPool("curl", ["-sS", "http://127.0.0.1:\(metricsPort)/health/readiness"])
            #expect(readiness.stdout.contains(#""status":"ready""#), "\(readiness.stdout) \(readiness.stderr)")
            #expect(readiness.stdout.contains(#""postgres":{"ok":true}"#) && readiness.stdout.contains(#""redis":{"ok":true}"#), "\(readiness.stdout)")
            #expect(await worker.stopped(signal: SIGTERM) == 0, "\(workerLog())")
            #expect(listed.contains("orphan-\(task)\ttask.assigned\t\(task)\tmax_deliveries\t1\t"), "\(listed)")
            let reference = String(listed.split(separator: "\n")[1].split(separator: "\t")[0])

            let shown = try await berrys(["dlq", "show", "orphan-\(task)"], environment: environment)
            #expect(shown.status == 0)
            #expect(shown.stdout.contains("dlq_error\tpermanent: task \(task) is not known"))
            #expect(shown.stdout.contains("reference\t\(reference)"))
            let status = try await berrys(["status"])
            #expect(status.stdout.contains("planning-to-agent\t"), "\(status.stdout)")

            #expect(try await berrys(["dlq", "drop", reference]).status == 64, "dropping needs --yes")
            #expect(try await berrys(["dlq", "show", "no-such-id"]).status == 1)
            let dropped = try await berrys(["dlq", "drop", reference, "--yes"])
            #expect(dropped.status == 0, "\(dropped.stderr)")
            #expect(!(try await berrys(["dlq", "list"]).stdout.contains("orphan-\(task)")))
        }
    }
}

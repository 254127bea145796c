import BerrysPlatform
import CommandSupport
import ArgumentParser
import BerrysDomain
import EventLog
import Foundation

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Publish a realistic scenario (project, plan, tasks, agents from templates, assignments, executions, messages, models, tools).",
        discussion: """
        Run it against a running system (berrys run): the workers turn the assignments into executions, then \
        the demo publishes their progress and completion. Re-running it publishes duplicates, not copies.
        """)

    @Option(help: "Seconds to wait for the workers to create the executions.") var wait: Double = 30

    func run() async throws {
        try await reportingFailures {
            let context = try Context(domain: .berrys)
            let log = try await context.openLog(create: true, source: "berrys-demo")
            let scenario = DemoScenario()
            let first = try await publish(scenario.setup, to: log)
            print("published \(first) setup events (project \(scenario.project))")
            let executions = [scenario.execution(forAssignment: scenario.assignSurvey), scenario.execution(forAssignment: scenario.assignPrototype)]
            let deadline = Date().addingTimeInterval(wait)
            while true {
                var missing = 0
                for execution in executions where try await log.currentSequence(subject: execution) == 0 { missing += 1 }
                if missing == 0 { break }
                guard Date() < deadline else {
                    printError("berrys: the workers did not create the executions within \(Int(wait)) s; is berrys run (or berrys worker) running?")
                    throw ExitCode(ExitCodes.refused)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let second = try await publish(scenario.progress, to: log)
            print("published \(second) progress events; try: curl http://\(context.settings.api.host):\(context.settings.api.port)/v1/plans/\(scenario.plan)/tasks")
        }
    }

    private func publish(_ events: [(id: String, event: any BerrysEvent)], to log: EventLog) async throws -> Int {
        var count = 0
        for (id, event) in events {
            let result = try await log.append(try event.draft(id: id, source: "berrys-demo"))
            if !result.duplicate { count += 1 }
        }
        return count
    }
}

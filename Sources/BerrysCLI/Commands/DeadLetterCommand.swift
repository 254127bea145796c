import BerrysPlatform
import CommandSupport
import ArgumentParser
import Foundation
import Workers

struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Inspect, retry or drop dead-lettered events.",
        discussion: """
        A dead letter is named by its reference <worker>/<partition>/<dlq entry id> (shown by list) \
        or by its event id. Events parked behind it (same partition key) wait for it: retrying it \
        re-delivers them all in order; dropping it releases them.
        """,
        subcommands: [List.self, Show.self, Retry.self, Drop.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead letters: reference, type, subject, reason, attempts, age.")
        @Option(help: "Only this worker's.") var worker: String?

        func run() async throws {
            try await reportingFailures {
                let context = try Context(domain: .berrys)
                let letters = try await DeadLetterStore(redis: context.redis, namespace: context.settings.log.namespace).list(worker: worker)
                let now = Date().timeIntervalSince1970
                print(["REFERENCE", "EVENT ID", "TYPE", "SUBJECT", "REASON", "ATTEMPTS", "AGE"].joined(separator: "\t"))
                for letter in letters {
                    let age = max(0, now - Double(letter.parkedAtMilliseconds) / 1000)
                    print([letter.reference, letter.eventID ?? "-", letter.type ?? "-", letter.subject ?? "-", letter.reason?.rawValue ?? "unknown",
                           String(letter.attempts),
                           formatAge(age)].joined(separator: "\t"))
                }
                printError("\(letters.count) dead letter(s)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one dead letter whole: every field and the error text.")
        @Argument(help: "A reference from dlq list, or an event id.") var id: String

        func run() async throws {
            try await reportingFailures {
                let context = try Context(domain: .berrys)
                let letter = try await DeadLetterStore(redis: context.redis, namespace: context.settings.log.namespace).find(id)
                print("reference\t\(letter.reference)")
                for field in letter.fields { print("\(field.name)\t\(field.value)") }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-deliver a dead letter (and the events parked behind it, in order) to its worker.")
        @Argument(help: "A reference from dlq list, or an event id.") var id: String?
        @Flag(help: "Retry every dead letter (of --worker, or of all workers).") var all = false
        @Option(help: "With --all: only this worker's.") var worker: String?

        func validate() throws {
            guard (id != nil) != all else { throw ValidationError("give one dead letter's id, or --all") }
        }

        func run() async throws {
            try await reportingFailures {
                let context = try Context(domain: .berrys)
                let store = DeadLetterStore(redis: context.redis, namespace: context.settings.log.namespace)
                let count = all ? try await store.retryAll(worker: worker) : try await store.retry(try await store.find(id!))
                print("re-delivered \(count) event(s); the worker processes them before new events of their keys")
            }
        }
    }

    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a dead letter to <ns>:dlq-dropped:<worker>:{p} with who and when (never deleted outright).")
        @Argument(help: "A reference from dlq list, or an event id.") var id: String
        @Flag(help: "Confirm: the worker will never process this event.") var yes = false

        func validate() throws {
            if !yes { throw ValidationError("dropping means the worker never processes this event; add --yes to confirm") }
        }

        func run() async throws {
            try await reportingFailures {
                let context = try Context(domain: .berrys)
                let store = DeadLetterStore(redis: context.redis, namespace: context.settings.log.namespace)
                let letter = try await store.find(id)
                let who = ProcessInfo.processInfo.environment["USER"] ?? "unknown"
                let released = try await store.drop(letter, by: who)
                print("dropped \(letter.reference) (event \(letter.eventID ?? "without an id")); \(released) event(s) behind it re-delivered")
            }
        }
    }
}

/// `42s`, `5m`, `3h`, `2d`.
func formatAge(_ seconds: Double) -> String {
    switch seconds {
    case ..<120: return "\(Int(seconds))s"
    case ..<7200: return "\(Int(seconds / 60))m"
    case ..<172_800: return "\(Int(seconds / 3600))h"
    default: return "\(Int(seconds / 86400))d"
    }
}

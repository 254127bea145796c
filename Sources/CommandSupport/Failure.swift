import ArgumentParser
import EventLog
import Foundation
import PostgresClient
import Projections
import RedisClient
import Workers

/// Exit codes scripts can rely on.
public enum ExitCodes {
    /// An event was refused (invalid, conflict) or a check failed.
    public static let refused: Int32 = 1
    /// Redis (or PostgreSQL) could not be reached.
    public static let unavailable: Int32 = 69
    /// The configuration or the schemas folder is wrong.
    public static let configuration: Int32 = 78
}

/// An error a command reports in its own words, with its own exit code.
///
/// The libraries' errors are mapped to exit codes here; a command's own error types (the
/// benchmark's, a catalog's) conform instead of being known by name.
public protocol CommandFailure: Error {
    /// The line printed on standard error.
    var report: String { get }
    /// The process's exit code.
    var exitCode: Int32 { get }
}

/// Runs a command body, printing errors as `berrys: CODE: message` and exiting with the right code.
public func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as EventLogError {
        printError("berrys: \(error)")
        for detail in error.details.dropFirst() where error.details.count > 1 { printError("  \(detail)") }
        switch error.code {
        case .unavailable, .notReplicated: throw ExitCode(ExitCodes.unavailable)
        case .registry: throw ExitCode(ExitCodes.configuration)
        default: throw ExitCode(ExitCodes.refused)
        }
    } catch let error as SettingsError {
        printError("berrys: \(error)")
        throw ExitCode(ExitCodes.configuration)
    } catch let error as GroupStartRefused {
        printError("berrys: \(error)")
        throw ExitCode(ExitCodes.configuration)
    } catch let error as ProjectionError {
        printError("berrys: \(error)")
        switch error.code {
        case .definition, .changedWithoutVersionBump: throw ExitCode(ExitCodes.configuration)
        case .notReached: throw ExitCode(ExitCodes.unavailable)
        default: throw ExitCode(ExitCodes.refused)
        }
    } catch let error as PostgresError {
        printError("berrys: \(error)")
        throw ExitCode(error.isTransient ? ExitCodes.unavailable : ExitCodes.refused)
    } catch let error as RedisError {
        printError("berrys: \(error)")
        throw ExitCode(error.isTransient ? ExitCodes.unavailable : ExitCodes.refused)
    } catch let error as DeadLetterError {
        printError("berrys: \(error)")
        throw ExitCode(ExitCodes.refused)
    } catch let error as any CommandFailure {
        printError(error.report)
        throw ExitCode(error.exitCode)
    }
}

/// Writes a line to standard error.
public func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
